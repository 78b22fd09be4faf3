import type { DecodeFunction } from './decode-function.js';
import type { TokenEvent, TokenStreamer } from './token-streamer.js';

export interface TextStreamerOptions {
  decode: DecodeFunction;
  /** Receives each new piece of text of a batch row, in order. */
  onText: (text: string, row: number) => void;
  /** Default true: special tokens (`<eos>`, `<end_of_turn>`) produce no text. */
  skipSpecialTokens?: boolean;
}

/**
 * Turns the token stream into text pieces per row, emitted as soon as they are complete characters.
 *
 * Rule: each row keeps the tokens since its last line break; after each token it decodes them and
 * emits the new text up to the last complete character, i.e. holding back a trailing run of U+FFFD
 * (what a decoder gives for an unfinished UTF-8 sequence, e.g. the first byte token of an emoji).
 * After a piece ending in '\n' the row starts afresh (decoding stays short). At the end, whatever is
 * left is emitted, a genuinely invalid byte included (as U+FFFD). Unlike transformers' TextStreamer
 * it does not wait for a space: a word is emitted while it grows, which assumes a decoder whose
 * output for more tokens starts with its output for fewer (true for Gemma's).
 */
export class TextStreamer implements TokenStreamer {
  private readonly decode: DecodeFunction;
  private readonly onText: (text: string, row: number) => void;
  private readonly skipSpecialTokens: boolean;
  private readonly pending: number[][] = [];
  private readonly emitted: number[] = [];

  constructor({ decode, onText, skipSpecialTokens = true }: TextStreamerOptions) {
    this.decode = decode;
    this.onText = onText;
    this.skipSpecialTokens = skipSpecialTokens;
  }

  onTokens({ tokens }: TokenEvent): void {
    tokens.forEach((token, row) => {
      if (token === null) return;
      const pending = this.pendingOf(row);
      pending.push(token);
      const text = this.decode(pending, { skipSpecialTokens: this.skipSpecialTokens });
      let end = text.length;
      while (end > 0 && text.charCodeAt(end - 1) === 0xfffd) end--;
      this.emit(row, text.slice(0, end));
      if (end === text.length && text.endsWith('\n')) {
        this.pending[row] = [];
        this.emitted[row] = 0;
      }
    });
  }

  onEnd(): void {
    this.pending.forEach((pending, row) => {
      if (pending.length === 0) return;
      this.emit(row, this.decode(pending, { skipSpecialTokens: this.skipSpecialTokens }));
      this.pending[row] = [];
      this.emitted[row] = 0;
    });
  }

  private pendingOf(row: number): number[] {
    let pending = this.pending[row];
    if (pending === undefined) {
      pending = [];
      this.pending[row] = pending;
      this.emitted[row] = 0;
    }
    return pending;
  }

  private emit(row: number, complete: string): void {
    const already = this.emitted[row] ?? 0;
    if (complete.length <= already) return;
    this.onText(complete.slice(already), row);
    this.emitted[row] = complete.length;
  }
}
