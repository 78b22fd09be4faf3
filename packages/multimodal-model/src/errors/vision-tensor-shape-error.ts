import { Gemma3Error } from '@gemma3/errors';

/** A vision tower or projector tensor's shape does not match what the config implies. */
export class VisionTensorShapeError extends Gemma3Error {
  readonly file: string;
  readonly tensor: string;
  readonly expected: readonly number[];
  readonly actual: readonly number[];

  constructor(fields: {
    file: string;
    tensor: string;
    expected: readonly number[];
    actual: readonly number[];
  }) {
    super({
      code: 'multimodal-model/tensor-shape',
      message: `${fields.file}: tensor ${fields.tensor} has shape [${fields.actual.join(', ')}], the config needs [${fields.expected.join(', ')}]`,
    });
    this.file = fields.file;
    this.tensor = fields.tensor;
    this.expected = fields.expected;
    this.actual = fields.actual;
  }
}
