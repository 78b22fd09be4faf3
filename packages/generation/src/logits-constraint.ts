/** What generate() tells a constraint at each step of its row. */
export interface ConstraintStep {
  /** The ids that end the row (eos): allowed only where the output is complete. */
  readonly endTokenIds: readonly number[];
  /** Tokens the row may still produce, this one included (maxNewTokens - step + 1). */
  readonly remainingTokens: number;
  /** 1-based step. */
  readonly step: number;
}

/**
 * A per-row rule on which tokens may come next (constrained decoding). generate() calls `mask` on
 * the row's raw scores before any other processor, then `accept` with the token chosen.
 */
export interface LogitsConstraint {
  /** Sets the score of every token that cannot come next to -Infinity (one row [V], in place). */
  mask(scores: Float32Array, step: ConstraintStep): void;
  /** Advances past the chosen token; throws ConstraintViolationError when it was not allowed. */
  accept(tokenId: number, step: ConstraintStep): void;
}
