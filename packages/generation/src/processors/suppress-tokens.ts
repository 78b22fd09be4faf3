/**
 * Sets the given ids to -Infinity: transformers' MinNewTokensLengthLogitsProcessor uses this on the
 * eos ids while fewer than minNewTokens tokens have been generated. In place on one row [V].
 */
export function suppressTokens(scores: Float32Array, ids: readonly number[]): void {
  for (const id of ids) if (id >= 0 && id < scores.length) scores[id] = Number.NEGATIVE_INFINITY;
}
