import { type DecodeFunction, TextStreamer, type TokenEvent, type TokenStreamer } from '@gemma3/generation';
import type { StreamedToken } from './pipeline-options.js';

/**
 * Turns token events (one row) into `onToken({ id, text })` and `onText(text)` calls, with the text
 * split as @gemma3/generation's TextStreamer splits it (never half a character).
 */
export class TextCallbackStreamer implements TokenStreamer {
  private readonly pieces: string[] = [];
  private readonly text: TextStreamer;

  constructor(
    decode: DecodeFunction,
    private readonly onToken: ((token: StreamedToken) => void) | undefined,
    private readonly onText: ((text: string) => void) | undefined,
  ) {
    this.text = new TextStreamer({ decode, onText: (piece) => this.pieces.push(piece) });
  }

  onTokens(event: TokenEvent): void {
    this.text.onTokens(event);
    const piece = this.take();
    const id = event.tokens[0];
    if (piece !== '') this.onText?.(piece);
    if (id !== null && id !== undefined) this.onToken?.({ id, text: piece });
  }

  onEnd(): void {
    this.text.onEnd();
    const rest = this.take();
    if (rest !== '') this.onText?.(rest);
  }

  private take(): string {
    const piece = this.pieces.join('');
    this.pieces.length = 0;
    return piece;
  }
}
