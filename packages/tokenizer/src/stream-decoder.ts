import { byteOfToken } from './decoder.js';
import { InvalidTokenIdError } from './errors/invalid-token-id-error.js';
import type { Tokenizer } from './tokenizer.js';

/**
 * Incremental decoding for streaming generation. Text is emitted per token, except that a run of
 * byte-fallback tokens (`<0xE4><0xB8><0xAD>`) is held until the run ends (the next non-byte token, or
 * `flush()`): the reference decodes a run as one unit (valid UTF-8 -> text, else one U+FFFD per byte),
 * so holding it is what makes the concatenated chunks equal `decode(allIds)` exactly, and no chunk
 * ever ends in half a character.
 */
export class StreamDecoder {
  private pendingBytes: string[] = [];

  constructor(
    private readonly tokenizer: Tokenizer,
    private readonly skipSpecialTokens: boolean,
    private readonly skipUnknownIds: boolean,
  ) {}

  /** Adds one id; returns the text it completes ('' while a byte run is still open). */
  push(id: number): string {
    const token = this.tokenizer.findToken(id);
    if (token === undefined) {
      if (this.skipUnknownIds) return '';
      throw new InvalidTokenIdError({ id, index: -1, vocabSize: this.tokenizer.vocabSize });
    }
    if (this.skipSpecialTokens && this.tokenizer.isSpecialToken(token)) return '';
    if (this.tokenizer.decoder.byteFallback && byteOfToken(token) >= 0) {
      this.pendingBytes.push(token);
      return '';
    }
    const tokens = this.pendingBytes;
    tokens.push(token);
    this.pendingBytes = [];
    return this.tokenizer.decodeTokens(tokens);
  }

  /** Ends the stream: returns the text of a byte run still held ('' if none). */
  flush(): string {
    if (this.pendingBytes.length === 0) return '';
    const tokens = this.pendingBytes;
    this.pendingBytes = [];
    return this.tokenizer.decodeTokens(tokens);
  }
}
