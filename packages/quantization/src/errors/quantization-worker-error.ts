import { Gemma3Error } from '@gemma3/errors';

/** A quantization worker thread failed (could not start, threw, or exited) while quantizing `tensor`. */
export class QuantizationWorkerError extends Gemma3Error {
  readonly tensor: string;

  constructor(tensor: string, reason: string, cause?: unknown) {
    super({ code: 'quantization/worker', message: `${tensor}: quantization worker ${reason}`, cause });
    this.tensor = tensor;
  }
}
