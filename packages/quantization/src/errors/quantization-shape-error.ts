import { Gemma3Error } from '@gemma3/errors';

/** A tensor handed to the quantizer does not have the size its stated shape needs. */
export class QuantizationShapeError extends Gemma3Error {
  readonly tensor: string;

  constructor(tensor: string, reason: string) {
    super({ code: 'quantization/shape', message: `${tensor}: ${reason}` });
    this.tensor = tensor;
  }
}
