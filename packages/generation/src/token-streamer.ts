/** One generation step as a streamer sees it. */
export interface TokenEvent {
  /** 1 for the first new token, 2 for the second, ... */
  step: number;
  /** [B] the new token of each row, or null for rows that had already finished (they get padding). */
  tokens: readonly (number | null)[];
}

/**
 * Receives tokens while `generate()` runs. `onTokens` is called once per step, after the stopping
 * checks (a row's final token, e.g. its eos, is included); a returned promise is awaited before the
 * next step (backpressure). `onEnd` is called once when generation ends, also on abort (not when it
 * throws).
 */
export interface TokenStreamer {
  onTokens(event: TokenEvent): void | Promise<void>;
  onEnd?(): void | Promise<void>;
}
