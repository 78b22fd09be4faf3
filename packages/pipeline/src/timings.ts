import type { TokenEvent, TokenStreamer } from '@gemma3/generation';

/** Milliseconds, measured with performance.now(). */
export interface GenerationTimings {
  /** Resolving and loading the model when the pipeline was made (the same for every call). */
  loadMs: number;
  /** Chat template, tokenization and image loading/preprocessing of this call. */
  preprocessMs: number;
  /** Prompt (and images) through the model, up to the first new token. */
  prefillMs: number;
  /** Every later token. */
  decodeMs: number;
  /** preprocessMs + prefillMs + decodeMs (+ the little in between). */
  totalMs: number;
  /** Decode speed: (completion tokens - 1) / decode seconds; 0 with fewer than 2 tokens. */
  tokensPerSecond: number;
}

/** A streamer that notes when the first and the last token arrived, and passes events on. */
export class TimingStreamer implements TokenStreamer {
  firstTokenAt: number | undefined;
  lastTokenAt: number | undefined;

  constructor(private readonly next: readonly TokenStreamer[]) {}

  async onTokens(event: TokenEvent): Promise<void> {
    const now = performance.now();
    this.firstTokenAt ??= now;
    this.lastTokenAt = now;
    for (const streamer of this.next) await streamer.onTokens(event);
  }

  async onEnd(): Promise<void> {
    for (const streamer of this.next) await streamer.onEnd?.();
  }
}
