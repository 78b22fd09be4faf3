import { finiteEntries } from './finite-entries.js';

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
  const few = finiteEntries(scores, SORT_DIRECTLY);
  if (few !== undefined) {
    if (few.count <= 1) return;
    const values = few.values.subarray(0, few.count);
    const threshold = nucleusThreshold(Float32Array.from(values).sort(), 0, topP);
    for (let j = 0; j < few.count; j++) {
      if ((values[j] as number) < threshold) scores[few.ids[j] as number] = Number.NEGATIVE_INFINITY;
    }
    return;
  }
  let max = Number.NEGATIVE_INFINITY;
  let min = Number.POSITIVE_INFINITY;
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i] as number;
    if (s === Number.NEGATIVE_INFINITY) continue;
    if (s > max) max = s;
    if (s < min) min = s;
  }
  if (max === min) return;
  // Histogram of the unnormalised mass by score; the lowest bins whose total is <= (1 - topP) x total
  // are removed without sorting (`removedMass`), the rest is sorted.
  const width = (max - min) / BINS;
  const mass = new Float64Array(BINS);
  let total = 0;
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i] as number;
    if (s === Number.NEGATIVE_INFINITY) continue;
    const w = Math.exp(s - max);
    mass[Math.min(BINS - 1, Math.floor((s - min) / width))] += w;
    total += w;
  }
  const cut = (1 - topP) * total;
  let bin = 0;
  let removedMass = 0;
  while (bin < BINS - 1 && removedMass + (mass[bin] as number) <= cut) removedMass += mass[bin++] as number;
  const floor = bin === 0 ? Number.NEGATIVE_INFINITY : min + bin * width;
  const candidates: number[] = [];
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i] as number;
    if (s >= floor && s !== Number.NEGATIVE_INFINITY) candidates.push(s);
  }
  const threshold = nucleusThreshold(Float32Array.from(candidates).sort(), removedMass / total, topP);
  for (let i = 0; i < scores.length; i++)
    if ((scores[i] as number) < threshold) scores[i] = Number.NEGATIVE_INFINITY;
}

/**
 * The lowest score kept, given the candidates sorted ascending (the top of the distribution) and the
 * probability of everything below them: walking up, the first score whose cumulative probability
 * exceeds 1 - topP is kept, and so is everything above; the best is always kept.
 */
function nucleusThreshold(sorted: Float32Array, massBelow: number, topP: number): number {
  const n = sorted.length;
  const max = sorted[n - 1] as number;
  const below = massBelow; // probability of the tokens under the candidates
  let candidateTotal = 0;
  for (let i = 0; i < n; i++) candidateTotal += Math.exp((sorted[i] as number) - max);
  const scale = (1 - below) / candidateTotal; // unnormalised weight -> probability
  let cumulative = below;
  for (let i = 0; i < n - 1; i++) {
    cumulative += Math.exp((sorted[i] as number) - max) * scale;
    if (cumulative > 1 - topP) return sorted[i] as number;
  }
  return max;
}

/** Rows with at most this many finite scores are sorted whole. */
const SORT_DIRECTLY = 4096;
const BINS = 2048;
