import { Gemma3Error } from '@gemma3/errors';

/** A forward/generate input is malformed (ragged rows, ids out of range, cache mismatch, ...). */
export class InvalidInputError extends Gemma3Error {
  readonly field: string;

  constructor(field: string, reason: string) {
    super({ code: 'text-model/invalid-input', message: `${field}: ${reason}` });
    this.field = field;
  }
}
