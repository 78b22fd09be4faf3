import { Gemma3Error } from '@gemma3/errors';

/** A tokenizer file cannot be read, is not JSON, or lacks / has a malformed field. */
export class TokenizerFileError extends Gemma3Error {
  readonly file: string;
  /** Dotted path of the offending field, e.g. `model.merges[12]`; empty for whole-file problems. */
  readonly field: string;
  readonly reason: string;

  constructor({
    file,
    field,
    reason,
    cause,
  }: { file: string; field: string; reason: string; cause?: unknown }) {
    super({
      code: 'tokenizer/invalid-file',
      message: `${file}${field ? ` (${field})` : ''}: ${reason}`,
      cause,
    });
    this.file = file;
    this.field = field;
    this.reason = reason;
  }
}
