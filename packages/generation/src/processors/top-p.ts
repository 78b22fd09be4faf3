/**
 * Top-p (nucleus) warper, as transformers' TopPLogitsWarper: sort the scores ascending, take the
 * cumulative softmax, and remove (-Infinity) every token whose cumulative probability is
 * <= 1 - topP; the most likely token always stays. topP = 1 disables. In place on one row [V].
 *
 * Sorting only the finite scores (after top-k usually a few dozen) with a native typed-array sort
 * keeps this cheap; the result is a score threshold, so tokens tied with the last kept score are all
 * kept (the reference's unstable sort keeps an arbitrary subset of such ties).
 */
export function applyTopP(scores: Float32Array, topP: number): void {
  if (topP >= 1) return;
  let finite = 0;
  for (let i = 0; i < scores.length; i++) if ((scores[i] as number) > Number.NEGATIVE_INFINITY) finite++;
  if (finite <= 1) return;
  const sorted = new Float32Array(finite); // [n] ascending
  let j = 0;
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i] as number;
    if (s > Number.NEGATIVE_INFINITY) sorted[j++] = s;
  }
  sorted.sort();
  const max = sorted[finite - 1] as number;
  let total = 0;
  for (let i = 0; i < finite; i++) total += Math.exp((sorted[i] as number) - max);
  const cut = 1 - topP;
  let cumulative = 0;
  let threshold = max;
  for (let i = 0; i < finite - 1; i++) {
    cumulative += Math.exp((sorted[i] as number) - max) / total;
    if (cumulative > cut) {
      threshold = sorted[i] as number;
      break;
    }
  }
  for (let i = 0; i < scores.length; i++)
    if ((scores[i] as number) < threshold) scores[i] = Number.NEGATIVE_INFINITY;
}
