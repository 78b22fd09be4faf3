import { describe, expect, test } from 'vitest';
import { torchvisionAxisWeights, torchvisionWeightsPrecision } from './torchvision-bilinear-resize.js';

describe('torchvision weight precision (the loop of _compute_indices_int16_weights_aa)', () => {
  // Largest bits with round(maxWeight * 2^(bits + 1)) < 2^15, at most 22; worked out by hand:
  // 1 * 2^15 = 32768 stops at 14 bits; 0.5 * 2^16 stops at 15; 0.25 at 16; 0.3 * 2^16 = 19661 < 2^15
  // but 0.3 * 2^17 = 39322 stops at 16; 1e-3 * 2^23 = 8389 never reaches 2^15, so the cap, 22.
  test.each([
    [1, 14],
    [0.5, 15],
    [0.25, 16],
    [0.3, 16],
    [1e-3, 22],
  ])('max weight %s -> %s bits', (maxWeight, bits) => {
    expect(torchvisionWeightsPrecision(maxWeight)).toBe(bits);
  });

  test('an axis halved: 16 bits; edge outputs renormalise their cut kernel', () => {
    const axis = torchvisionAxisWeights(8, 4);
    // Output 0: centre 1, support 2 -> inputs 0..2 with triangle weights 0.75, 0.75, 0.25 (sum 1.75),
    // so max weight 0.75/1.75 = 0.43: 0.43 * 2^16 = 28087 < 2^15 but 0.43 * 2^17 is not -> 16 bits.
    // Inner outputs: 0.25, 0.75, 0.75, 0.25 over 4 inputs, divided by their sum 2.
    expect(axis.precision).toBe(16);
    expect(Array.from(axis.start)).toEqual([0, 1, 3, 5]);
    expect(Array.from(axis.size)).toEqual([3, 4, 4, 3]);
    const one = 2 ** 16;
    expect(Array.from(axis.weights.slice(0, 3))).toEqual([
      Math.round((0.75 / 1.75) * one),
      Math.round((0.75 / 1.75) * one),
      Math.round((0.25 / 1.75) * one),
    ]);
    expect(Array.from(axis.weights.slice(axis.kernelSize, axis.kernelSize + 4))).toEqual([
      one / 8,
      (3 * one) / 8,
      (3 * one) / 8,
      one / 8,
    ]);
  });
});
