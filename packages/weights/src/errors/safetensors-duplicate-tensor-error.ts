import { WeightsError } from './weights-error.js';

/** The same tensor name appears twice in one header (JSON.parse would silently keep the last). */
export class SafetensorsDuplicateTensorError extends WeightsError {
  constructor(file: string, tensor: string) {
    super({
      code: 'safetensors/duplicate-tensor',
      file,
      tensor,
      message: 'tensor name appears more than once',
    });
  }
}
