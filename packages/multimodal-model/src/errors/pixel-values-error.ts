import { Gemma3Error } from '@gemma3/errors';

/** `pixelValues` has the wrong shape, length or a non-finite value. */
export class PixelValuesError extends Gemma3Error {
  readonly dims: readonly number[];

  constructor(fields: { dims: readonly number[]; reason: string }) {
    super({
      code: 'multimodal-model/pixel-values',
      message: `pixelValues [${fields.dims.join(', ')}]: ${fields.reason}`,
    });
    this.dims = fields.dims;
  }
}
