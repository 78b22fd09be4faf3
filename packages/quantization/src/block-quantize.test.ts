import { describe, expect, it } from 'vitest';
import {
  type BlockQuantSpec,
  dequantizeBlocks,
  quantizeBlocks,
  quantizedAt,
  relativeError,
  zeroPointAt,
} from './block-quantize.js';
import { QuantizationOptionsError } from './errors/quantization-options-error.js';
import { QuantizationShapeError } from './errors/quantization-shape-error.js';
import { randomMatrix } from './test-utils/random.js';

describe('quantizeBlocks by hand', () => {
  it('4-bit symmetric: the largest magnitude maps to -8 exactly; others round to the nearest step', () => {
    // One block of 16: extreme -2 -> scale = -2 / -8 = 0.25; 1.0 -> 4 steps; 0.3 -> 1.2 -> 1 step.
    const row = new Float32Array(16);
    row.set([-2, 1, 0.3, 0.125, 2]);
    const q = quantizeBlocks(row, 1, 16, { bits: 4, blockSize: 16, symmetric: true });
    expect(q.scales[0]).toBe(0.25);
    expect(q.zeroPoints).toBeUndefined();
    expect(zeroPointAt(q, 0, 0)).toBe(8);
    // x / scale = -8, 4, 1.2, 0.5 (rounds half away: Math.round(0.5) = 1), 8 -> clamped to 7.
    expect([0, 1, 2, 3, 4, 5].map((c) => quantizedAt(q, 0, c) - 8)).toEqual([-8, 4, 1, 1, 7, 0]);
    const deq = dequantizeBlocks(q);
    expect(Array.from(deq.slice(0, 6))).toEqual([-2, 1, 0.25, 0.25, 1.75, 0]);
    // Packing: element 0 in the low nibble of byte 0, element 1 in its high nibble.
    expect(q.data[0]).toBe((4 + 8) * 16 + 0);
  });

  it('4-bit symmetric with a positive extreme takes a negative scale (still exact at the extreme)', () => {
    const row = new Float32Array(16);
    row.set([0.5, -0.25, 4]);
    const q = quantizeBlocks(row, 1, 16, { bits: 4, blockSize: 16, symmetric: true });
    expect(q.scales[0]).toBe(-0.5);
    // 0.5 -> -1 step -> 0.5; -0.25 -> 0.5 steps rounds up to 1 -> -0.5; 4 -> -8 steps -> 4.
    expect(Array.from(dequantizeBlocks(q).slice(0, 3))).toEqual([0.5, -0.5, 4]);
  });

  it('asymmetric 4-bit: range [min(0,x), max(0,x)] over 15 steps with a rounded zero point', () => {
    const row = new Float32Array(16).fill(1);
    row[0] = 4;
    row[1] = 1.5;
    // lo = 0 (zero included), hi = 4 -> scale 4/15, zp 0.
    const q = quantizeBlocks(row, 1, 16, { bits: 4, blockSize: 16, symmetric: false });
    expect(q.scales[0]).toBe(Math.fround(4 / 15));
    expect(zeroPointAt(q, 0, 0)).toBe(0);
    expect(quantizedAt(q, 0, 0)).toBe(15);
    expect(quantizedAt(q, 0, 1)).toBe(Math.round(1.5 / Math.fround(4 / 15))); // 5.625 -> 6
    // Max error is half a step: |1.5 - 6 * 4/15| = 0.1 <= 2/15.
    const deq = dequantizeBlocks(q);
    expect(Math.abs(deq[1]! - 1.5)).toBeCloseTo(0.1, 6);
  });

  it('asymmetric zero points pack two blocks per byte, even block low, rows padded to whole bytes', () => {
    // 1 row, 3 blocks of 16: block b all -(b + 1) but one +4 -> scale (b + 5) / 15,
    // zp = round(15 (b + 1) / (b + 5)) = 3, 5, 6 (from 3, 5, 6.43: no ties).
    const row = new Float32Array(48);
    for (let b = 0; b < 3; b++) {
      row.fill(-(b + 1), b * 16, b * 16 + 16);
      row[b * 16] = 4;
    }
    const q = quantizeBlocks(row, 1, 48, { bits: 4, blockSize: 16, symmetric: false });
    const zps = [3, 5, 6];
    expect(q.zeroPoints!.length).toBe(2); // ceil(3 * 4 / 8)
    expect(q.zeroPoints![0]).toBe(3 | (5 << 4));
    expect(q.zeroPoints![1]).toBe(6);
    expect([0, 1, 2].map((b) => zeroPointAt(q, 0, b))).toEqual(zps);
  });

  it('8-bit symmetric: one byte per weight, zero point 128, step = max|x| / 128', () => {
    const row = new Float32Array(16);
    row.set([1, -0.5, 0.01]);
    const q = quantizeBlocks(row, 1, 16, { bits: 8, blockSize: 16, symmetric: true });
    expect(q.scales[0]).toBe(Math.fround(1 / -128));
    expect(q.data.length).toBe(16);
    expect(q.data[0]).toBe(0); // 1 / (-1/128) = -128 -> 0 after +128
    expect(q.data[1]).toBe(128 + 64);
    expect(q.data[2]).toBe(128 - 1); // 0.01 * -128 = -1.28 -> -1
  });

  it('pads the last block with zeros when cols is not a multiple of the block size', () => {
    const values = randomMatrix(3 * 40, 7);
    const q = quantizeBlocks(values, 3, 40, { bits: 4, blockSize: 32, symmetric: true });
    expect(q.blocksPerRow).toBe(2);
    expect(q.data.length).toBe(3 * 2 * 16);
    const deq = dequantizeBlocks(q);
    expect(deq.length).toBe(120);
    // Padding quantizes to the zero point (so the padded half of a MatMulNBits block adds nothing).
    expect(quantizedAt(q, 0, 40)).toBe(8);
  });
});

describe('reconstruction error bounds', () => {
  const specs: BlockQuantSpec[] = [];
  for (const bits of [4, 8] as const)
    for (const blockSize of [32, 64, 128] as const)
      for (const symmetric of [true, false]) specs.push({ bits, blockSize, symmetric });

  it.each(specs)(
    'bits $bits block $blockSize symmetric $symmetric: |x - deq| <= one step per block',
    (spec) => {
      const rows = 5;
      const cols = 256;
      const values = randomMatrix(rows * cols, spec.bits * 1000 + spec.blockSize);
      const q = quantizeBlocks(values, rows, cols, spec);
      const deq = dequantizeBlocks(q);
      let maxRatio = 0;
      for (let r = 0; r < rows; r++) {
        for (let c = 0; c < cols; c++) {
          const step = Math.abs(q.scales[r * q.blocksPerRow + Math.floor(c / spec.blockSize)]!);
          const err = Math.abs(values[r * cols + c]! - deq[r * cols + c]!);
          // Rounding gives half a step; the clamp at the range's far end (symmetric: +8 steps does not
          // exist; asymmetric: the rounded zero point shifts the range by up to half a step) one step.
          expect(err).toBeLessThanOrEqual(step * (1 + 1e-6));
          maxRatio = Math.max(maxRatio, err / step);
        }
      }
      expect(maxRatio).toBeGreaterThan(0.3); // the bound is not vacuous
      // Uniform values in [-1, 1): step ~ 1/8 (4-bit) or 1/128 (8-bit); uniform rounding error has
      // RMS step/sqrt(12), over an RMS value 1/sqrt(3): relative error ~ step / 2.
      const rel = relativeError(values, q);
      const expected =
        spec.bits === 4 ? (spec.symmetric ? 1 / 8 : 2 / 15) / 2 : (spec.symmetric ? 1 / 128 : 2 / 255) / 2;
      expect(rel).toBeGreaterThan(expected * 0.7);
      expect(rel).toBeLessThan(expected * 1.3);
    },
  );

  it('an all-zero block stays zero', () => {
    const q = quantizeBlocks(new Float32Array(64), 2, 32, { bits: 4, blockSize: 32, symmetric: false });
    expect(Array.from(dequantizeBlocks(q)).every((v) => v === 0)).toBe(true);
  });
});

describe('errors', () => {
  it('refuses bits, block sizes and sizes it cannot handle', () => {
    const v = new Float32Array(32);
    expect(() => quantizeBlocks(v, 1, 32, { bits: 3 as 4, blockSize: 32, symmetric: true })).toThrow(
      QuantizationOptionsError,
    );
    expect(() => quantizeBlocks(v, 1, 32, { bits: 4, blockSize: 48 as 32, symmetric: true })).toThrow(
      /blockSize/,
    );
    expect(() => quantizeBlocks(v, 2, 32, { bits: 4, blockSize: 32, symmetric: true }, 'w')).toThrow(
      QuantizationShapeError,
    );
  });
});
