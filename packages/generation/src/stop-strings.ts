import type { DecodeFunction } from './decode-function.js';

/**
 * Finds stop strings in one row's generated text. Checked after every new token, so a row stops at
 * the token that completes a stop string (that token is kept, as transformers' StopStringCriteria).
 * Only the generated tokens are searched (a stop string in the prompt never stops generation), decoded
 * with special tokens included.
 *
 * Cost: instead of decoding the whole generated text at every step, it decodes a tail of tokens whose
 * text before the newest token is at least the longest stop string (+4 characters of slack for a
 * partial character at the window start); a match must end inside the newest token, since an earlier
 * match would have stopped the row already.
 */
export class StopStringMatcher {
  private readonly longest: number;

  constructor(
    readonly stopStrings: readonly string[],
    private readonly decode: DecodeFunction,
  ) {
    this.longest = Math.max(0, ...stopStrings.map((s) => s.length));
  }

  /** The stop string found in the generated `tokens` (ending in the newest token), or undefined. */
  match(tokens: readonly number[]): string | undefined {
    if (this.stopStrings.length === 0 || tokens.length === 0) return undefined;
    const n = tokens.length;
    let count = 1;
    for (;;) {
      const start = Math.max(0, n - 1 - count);
      const before = this.decode(tokens.slice(start, n - 1), { skipSpecialTokens: false });
      if (start === 0 || before.length >= this.longest + 4) {
        const text = this.decode(tokens.slice(start), { skipSpecialTokens: false });
        return this.stopStrings.find((s) => text.includes(s));
      }
      count *= 2;
    }
  }
}
