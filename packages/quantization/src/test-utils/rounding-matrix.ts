import { float16BitsToFloat32, float32ToBfloat16Bits, float32ToFloat16Bits } from '@gemma3/weights';
import type { SourceDtype } from '../parallel/row-source.js';
import { randomMatrix } from './random.js';

/**
 * A [rows, cols] matrix with the values that stress rounding: random, an all-zero row, a row whose
 * scaled values fall exactly on .5 (ties: Math.round's rule decides them), a row of one negative
 * extreme, rows with a NaN, with infinities and with subnormals. Rounded to `dtype` first, so
 * every dtype holds these exact values.
 */
export function roundingMatrix(rows: number, cols: number, dtype: SourceDtype, seed: number): Float32Array {
  const values = randomMatrix(rows * cols, seed);
  const fill = (r: number, f: (c: number) => number) => {
    if (r < rows) for (let c = 0; c < cols; c++) values[r * cols + c] = f(c);
  };
  fill(1, () => 0);
  // max |x| = 127 / 8: the int8 scale is 1/8, so x * (1/scale) = k + 0.5 exactly; likewise for blocks.
  fill(2, (c) => (c === 0 ? 127 / 8 : c % 2 === 0 ? -(((c % 20) + 0.5) / 8) : ((c % 20) + 0.5) / 8));
  fill(3, (c) => (c % 7 === 3 ? -1 : 0.25));
  fill(4, (c) => (c === 1 ? Number.NaN : 0.5)); // NaN: the reference's max and scale become NaN
  fill(5, (c) => (c === 2 ? Number.POSITIVE_INFINITY : c === 3 ? Number.NEGATIVE_INFINITY : -0.75));
  fill(6, (c) => (c % 3) * 1e-39 - 1e-39); // subnormal (f16: zero)
  for (let i = 0; i < values.length; i++) {
    if (dtype === 'BF16')
      values[i] = new Float32Array(new Uint32Array([float32ToBfloat16Bits(values[i]!) << 16]).buffer)[0]!;
    if (dtype === 'F16') values[i] = float16BitsToFloat32(float32ToFloat16Bits(values[i]!));
  }
  return values;
}
