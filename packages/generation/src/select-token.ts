import { finiteEntries } from './processors/finite-entries.js';
import type { Xoshiro128StarStar } from './random.js';

/** Index of the largest score (the first one on ties, like torch.argmax). */
export function argmax(scores: Float32Array): number {
  let best = 0;
  let bestScore = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i] as number;
    if (s > bestScore) {
      bestScore = s;
      best = i;
    }
  }
  return best;
}

/**
 * Draws one id from softmax(scores) with one uniform draw u in [0, 1): the first id whose cumulative
 * probability exceeds u x total. Tokens at -Infinity have probability 0 and are never drawn.
 * Probabilities are computed in float64 from the (float32) processed scores. Scores at +Infinity
 * (a temperature so small that the division overflowed float32) give their first id, the greedy limit.
 */
export function sampleToken(scores: Float32Array, rng: Xoshiro128StarStar): number {
  const few = finiteEntries(scores, SPARSE_LIMIT);
  const ids = few?.ids;
  const values = few === undefined ? scores : few.values.subarray(0, few.count); // [n] or [V]
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < values.length; i++) if ((values[i] as number) > max) max = values[i] as number;
  // a tiny temperature overflowed: the limit is greedy
  if (max === Number.POSITIVE_INFINITY) return scores.indexOf(max);
  const weights = new Float64Array(values.length); // unnormalised probabilities
  let total = 0;
  for (let i = 0; i < values.length; i++) {
    const s = values[i] as number;
    if (s === Number.NEGATIVE_INFINITY) continue; // weight 0 (the array starts zeroed)
    const w = Math.exp(s - max);
    weights[i] = w;
    total += w;
  }
  const target = rng.nextFloat() * total;
  let cumulative = 0;
  let last = -1;
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i] as number;
    if (w === 0) continue;
    cumulative += w;
    last = i;
    if (cumulative > target) return ids === undefined ? i : (ids[i] as number);
  }
  // rounding left target at the very top: the last possible token
  return ids === undefined ? last : (ids[last] as number);
}

/** Rows with at most this many finite scores (after top-k) are sampled from a compact copy. */
const SPARSE_LIMIT = 4096;
