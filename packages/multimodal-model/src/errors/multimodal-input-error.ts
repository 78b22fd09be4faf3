import { Gemma3Error } from '@gemma3/errors';

/** A forward/generate input of the multimodal model is malformed (ragged rows, bad token type ids, ...). */
export class MultimodalInputError extends Gemma3Error {
  readonly field: string;

  constructor(field: string, reason: string) {
    super({ code: 'multimodal-model/invalid-input', message: `${field}: ${reason}` });
    this.field = field;
  }
}
