import { describe, expect, test } from 'vitest';
import {
  float16BitsToFloat32,
  float16Table,
  float16ToFloat32,
  float32ToFloat16,
  float32ToFloat16Bits,
} from './float16.js';

/** 3.14159 (written as a quotient: the linter takes a decimal literal for a mistyped Math.PI). */
const APPROX_PI = 314159 / 100000;

describe('float32ToFloat16 (round to nearest even, bits worked out by hand from IEEE 754)', () => {
  test.each([
    ['1.0', 1.0, 0x3c00],
    ['-2.5 = -1.25 x 2^1', -2.5, 0xc100],
    ['3.14159: mantissa 0.570795 x 1024 = 584.49 rounds to 584 (0x248)', APPROX_PI, 0x4248],
    ['-0', -0, 0x8000],
    ['largest finite 65504', 65504, 0x7bff],
    ['65519 rounds down to 65504', 65519, 0x7bff],
    ['65520 is the tie with an odd mantissa: rounds up to Infinity', 65520, 0x7c00],
    ['1e6 overflows to Infinity', 1e6, 0x7c00],
    ['-Infinity', Number.NEGATIVE_INFINITY, 0xfc00],
    ['NaN', Number.NaN, 0x7e00],
    ['smallest normal 2^-14', 2 ** -14, 0x0400],
    ['largest subnormal 1023 x 2^-24', 1023 * 2 ** -24, 0x03ff],
    ['smallest subnormal 2^-24', 2 ** -24, 0x0001],
    ['2^-25 is the tie between 0 and 2^-24: rounds to 0 (even)', 2 ** -25, 0x0000],
    ['1.5 x 2^-25 rounds up to 2^-24', 1.5 * 2 ** -25, 0x0001],
    ['3 x 2^-25 is the tie between 1 and 2 subnormal units: rounds to 2', 3 * 2 ** -25, 0x0002],
    ['tiny value underflows to -0', -1e-30, 0x8000],
    [
      'rounding carries from the largest subnormal into the smallest normal',
      (1023.5 + 0.25) * 2 ** -24,
      0x0400,
    ],
    ['tie in the normal range rounds to even: 1 + 2^-11', 1 + 2 ** -11, 0x3c00],
    ['tie in the normal range rounds to even: 1 + 3 x 2^-11', 1 + 3 * 2 ** -11, 0x3c02],
  ])('%s', (_label, value, bits) => {
    expect(float32ToFloat16Bits(value)).toBe(bits);
    expect(float32ToFloat16(new Float32Array([value]))[0]).toBe(bits);
  });
});

describe('float16 -> float32', () => {
  test('decodes normals, subnormals, zeros, infinities and NaN', () => {
    expect(float16BitsToFloat32(0x3c00)).toBe(1);
    expect(float16BitsToFloat32(0xc100)).toBe(-2.5);
    expect(float16BitsToFloat32(0x7bff)).toBe(65504);
    expect(float16BitsToFloat32(0x0001)).toBe(2 ** -24);
    expect(Object.is(float16BitsToFloat32(0x8000), -0)).toBe(true);
    expect(float16BitsToFloat32(0xfc00)).toBe(Number.NEGATIVE_INFINITY);
    expect(Number.isNaN(float16BitsToFloat32(0x7e01))).toBe(true);
  });

  test('every non-NaN float16 survives float16 -> float32 -> float16', () => {
    const table = float16Table();
    const mismatches: number[] = [];
    for (let h = 0; h < 65536; h++) {
      if (!Number.isNaN(table[h]!) && float32ToFloat16Bits(table[h]!) !== h) mismatches.push(h);
    }
    expect(mismatches).toEqual([]);
    const all = new Uint16Array(65536).map((_, i) => i);
    expect(float16ToFloat32(all)[0x3555]).toBe(table[0x3555]);
  });
});
