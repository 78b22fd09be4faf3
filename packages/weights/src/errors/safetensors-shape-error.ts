import { WeightsError } from './weights-error.js';

/** A shape that is not a list of non-negative safe integers. */
export class SafetensorsShapeError extends WeightsError {
  constructor(file: string, tensor: string, reason: string) {
    super({ code: 'safetensors/shape', file, tensor, message: `invalid shape: ${reason}` });
  }
}
