import { Gemma3Error } from '@gemma3/errors';

/** An encode/batch option is invalid, or a sequence exceeds maxLength while truncation was not asked for. */
export class InvalidEncodeOptionError extends Gemma3Error {
  readonly option: string;
  readonly reason: string;

  constructor({ option, reason }: { option: string; reason: string }) {
    super({ code: 'tokenizer/invalid-encode-option', message: `${option}: ${reason}` });
    this.option = option;
    this.reason = reason;
  }
}
