import { describe, expect, test } from 'vitest';
import { applyTemperature } from './processors/temperature.js';
import { applyTopK } from './processors/top-k.js';
import { Xoshiro128StarStar } from './random.js';
import { argmax, sampleToken } from './select-token.js';

/** Pearson chi-square of observed counts against expected probabilities. */
function chiSquare(counts: number[], probs: number[], draws: number): number {
  return counts.reduce((sum, c, i) => {
    const e = (probs[i] as number) * draws;
    return sum + (c - e) ** 2 / e;
  }, 0);
}

describe('token selection', () => {
  test('argmax takes the first maximum', () => {
    expect(argmax(new Float32Array([1, 3, 3, -1]))).toBe(1);
    expect(argmax(new Float32Array([Number.NEGATIVE_INFINITY, -5]))).toBe(1);
  });

  test('sampling follows softmax(scores): chi-square over 20000 draws, 4 tokens', () => {
    const probs = [0.1, 0.2, 0.3, 0.4];
    const scores = new Float32Array(probs.map(Math.log));
    const rng = new Xoshiro128StarStar(12345);
    const counts = [0, 0, 0, 0];
    const draws = 20000;
    for (let i = 0; i < draws; i++) counts[sampleToken(scores, rng)]++;
    // 3 degrees of freedom: P(chi2 > 16.27) = 0.001 for a correct sampler (the seed is fixed, so
    // this is deterministic); a sampler off by 2 points on one token scores > 60.
    expect(chiSquare(counts, probs, draws)).toBeLessThan(16.27);
  });

  test('removed tokens are never drawn, the rest renormalise', () => {
    const scores = new Float32Array([0.1, 0.2, 0.3, 0.4].map(Math.log));
    applyTopK(scores, 2);
    const rng = new Xoshiro128StarStar(99);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 7000; i++) counts[sampleToken(scores, rng)]++;
    expect(counts[0]).toBe(0);
    expect(counts[1]).toBe(0);
    expect(chiSquare(counts.slice(2), [3 / 7, 4 / 7], 7000)).toBeLessThan(10.83); // 1 df, p = 0.001
  });

  test('a temperature so small that scores would overflow float32 samples the argmax', () => {
    const scores = new Float32Array([1, 3, 2, -1]);
    applyTemperature(scores, 1e-40);
    expect([...scores]).toEqual([
      Number.NEGATIVE_INFINITY,
      0,
      Number.NEGATIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
    ]);
    expect(sampleToken(scores, new Xoshiro128StarStar(1))).toBe(1);
    const overflowed = new Float32Array([Number.POSITIVE_INFINITY, 1, Number.POSITIVE_INFINITY]);
    expect(sampleToken(overflowed, new Xoshiro128StarStar(1))).toBe(0); // last-resort guard
  });

  test('same seed, same draws', () => {
    const scores = new Float32Array([0.5, 1, 1.5, 2]);
    const draw = (seed: number) => {
      const rng = new Xoshiro128StarStar(seed);
      return Array.from({ length: 50 }, () => sampleToken(scores, rng));
    };
    expect(draw(3)).toEqual(draw(3));
    expect(draw(3)).not.toEqual(draw(4));
  });
});
