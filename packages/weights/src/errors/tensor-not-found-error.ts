import { WeightsError } from './weights-error.js';

/** A tensor asked for by name that the file or checkpoint does not hold. */
export class TensorNotFoundError extends WeightsError {
  constructor(file: string, tensor: string) {
    super({ code: 'weights/tensor-not-found', file, tensor, message: 'no such tensor' });
  }
}
