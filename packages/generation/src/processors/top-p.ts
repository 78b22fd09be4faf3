/**
 * Top-p (nucleus) warper, as transformers' TopPLogitsWarper: sort the scores ascending, take the
 * cumulative softmax, and remove (-Infinity) every token whose cumulative probability is
 * <= 1 - topP; the most likely token always stays. topP = 1 disables. In place on one row [V].
 *
 * The result is a score threshold, so tokens tied with the last kept score are all kept (the
 * reference's unstable sort keeps an arbitrary subset of such ties).
 *
 * Cost: after top-k only a few dozen scores are finite and are sorted directly. Over a full vocabulary
 * (262k) a histogram of the probability mass by score finds the low bins whose total mass is <= 1 - topP:
 * every token in them is removed whatever the order inside (its cumulative probability is at most
 * that total), so only the tokens above are sorted, starting from that mass.
 */
export function applyTopP(scores: Float32Array, topP: number): void {
  if (topP >= 1) return;
  let finite = 0;
  let max = Number.NEGATIVE_INFINITY;
  let min = Number.POSITIVE_INFINITY;
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i] as number;
    if (s === Number.NEGATIVE_INFINITY) continue;
    finite++;
    if (s > max) max = s;
    if (s < min) min = s;
  }
  if (finite <= 1 || max === min) return;
  // Scores below `floor` are removed without sorting; `removedMass` is their unnormalised total.
  let floor = Number.NEGATIVE_INFINITY;
  let removedMass = 0;
  let total = 0;
  let cut = 0;
  if (finite <= SORT_DIRECTLY) {
    for (let i = 0; i < scores.length; i++) {
      const s = scores[i] as number;
      if (s !== Number.NEGATIVE_INFINITY) total += Math.exp(s - max);
    }
    cut = (1 - topP) * total;
  } else {
    const width = (max - min) / BINS;
    const mass = new Float64Array(BINS);
    for (let i = 0; i < scores.length; i++) {
      const s = scores[i] as number;
      if (s === Number.NEGATIVE_INFINITY) continue;
      const w = Math.exp(s - max);
      mass[Math.min(BINS - 1, Math.floor((s - min) / width))] += w;
      total += w;
    }
    cut = (1 - topP) * total;
    let bin = 0;
    while (bin < BINS - 1 && removedMass + (mass[bin] as number) <= cut) removedMass += mass[bin++] as number;
    floor = bin === 0 ? Number.NEGATIVE_INFINITY : min + bin * width;
  }

  let count = 0;
  for (let i = 0; i < scores.length; i++)
    if ((scores[i] as number) >= floor && scores[i] !== Number.NEGATIVE_INFINITY) count++;
  const sorted = new Float32Array(count); // [n] candidates, ascending
  let j = 0;
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i] as number;
    if (s >= floor && s !== Number.NEGATIVE_INFINITY) sorted[j++] = s;
  }
  sorted.sort();
  let cumulative = removedMass;
  let threshold = max;
  for (let i = 0; i < count - 1; i++) {
    cumulative += Math.exp((sorted[i] as number) - max);
    if (cumulative > cut) {
      threshold = sorted[i] as number;
      break;
    }
  }
  for (let i = 0; i < scores.length; i++)
    if ((scores[i] as number) < threshold) scores[i] = Number.NEGATIVE_INFINITY;
}

/** Rows with at most this many finite scores are sorted whole. */
const SORT_DIRECTLY = 4096;
const BINS = 2048;
