import { Gemma3Error } from '@gemma3/errors';

/** Text to encode is not a string or holds a lone UTF-16 surrogate (not valid Unicode). */
export class InvalidTextError extends Gemma3Error {
  /** UTF-16 index of the problem, or -1 when the value is not a string. */
  readonly index: number;
  readonly reason: string;

  constructor({ index, reason }: { index: number; reason: string }) {
    super({
      code: 'tokenizer/invalid-text',
      message: index >= 0 ? `text at UTF-16 index ${index}: ${reason}` : `text: ${reason}`,
    });
    this.index = index;
    this.reason = reason;
  }
}
