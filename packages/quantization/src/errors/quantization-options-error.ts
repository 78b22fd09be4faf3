import { Gemma3Error } from '@gemma3/errors';

/** A quantization option is not one this package supports (bits, block size, dtype, module name). */
export class QuantizationOptionsError extends Gemma3Error {
  readonly option: string;

  constructor(option: string, reason: string) {
    super({ code: 'quantization/invalid-options', message: `${option}: ${reason}` });
    this.option = option;
  }
}
