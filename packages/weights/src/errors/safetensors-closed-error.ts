import { WeightsError } from './weights-error.js';

/** A read from a file or checkpoint after `close()`. */
export class SafetensorsClosedError extends WeightsError {
  constructor(file: string, tensor?: string) {
    super({ code: 'weights/closed', file, tensor, message: 'read after close()' });
  }
}
