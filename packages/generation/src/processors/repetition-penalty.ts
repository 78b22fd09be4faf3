/**
 * Repetition penalty (CTRL, https://arxiv.org/abs/1909.05858), as transformers'
 * RepetitionPenaltyLogitsProcessor: for every token id present in the row's sequence so far (prompt,
 * its padding, and generated tokens), a score s becomes s / penalty when s > 0... precisely:
 * `s < 0 ? s * penalty : s / penalty` (so a penalty > 1 always makes a seen token less likely).
 * Each distinct id is penalised once, however often it occurs. Works in place on one row [V].
 */
export function applyRepetitionPenalty(
  scores: Float32Array,
  seenIds: Iterable<number>,
  penalty: number,
): void {
  if (penalty === 1) return;
  for (const id of seenIds) {
    const s = scores[id] as number;
    scores[id] = s < 0 ? s * penalty : s / penalty;
  }
}
