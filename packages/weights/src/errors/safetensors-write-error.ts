import { WeightsError } from './weights-error.js';

/** A tensor given to a writer does not match its declaration, comes out of order, or is missing. */
export class SafetensorsWriteError extends WeightsError {
  constructor(file: string, tensor: string | undefined, reason: string) {
    super({ code: 'safetensors/write', file, tensor, message: reason });
  }
}
