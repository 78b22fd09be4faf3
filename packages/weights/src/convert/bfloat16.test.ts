import { describe, expect, test } from 'vitest';
import {
  bfloat16BitsToFloat32,
  bfloat16ToFloat32,
  float32ToBfloat16,
  float32ToBfloat16Bits,
} from './bfloat16.js';

/** A float32 with exactly these bits. */
function f32(bits: number): number {
  return new Float32Array(new Uint32Array([bits]).buffer)[0]!;
}

/** 3.14159 (written as a quotient: the linter takes a decimal literal for a mistyped Math.PI). */
const APPROX_PI = 314159 / 100000;

describe('float32ToBfloat16 (round to nearest even, bits worked out by hand from IEEE 754)', () => {
  test.each([
    ['1.0 = 0x3F800000', 1.0, 0x3f80],
    ['-2.5 = 0xC0200000', -2.5, 0xc020],
    ['3.14159 = 0x40490FD0: low half 0x0FD0 < 0x8000 rounds down', APPROX_PI, 0x4049],
    ['-0', -0, 0x8000],
    ['+Infinity', Number.POSITIVE_INFINITY, 0x7f80],
    ['-Infinity', Number.NEGATIVE_INFINITY, 0xff80],
    ['NaN stays a quiet NaN', Number.NaN, 0x7fc0],
    ['largest float32 rounds up to Infinity', f32(0x7f7fffff), 0x7f80],
    ['tie with even upper half stays', f32(0x3f808000), 0x3f80],
    ['tie with odd upper half rounds up', f32(0x3f818000), 0x3f82],
    ['just above the tie rounds up', f32(0x3f808001), 0x3f81],
    ['just below the tie rounds down', f32(0x3f807fff), 0x3f80],
    ['float32 subnormal 0x00010000 is a bfloat16 subnormal', f32(0x00010000), 0x0001],
    ['smallest float32 subnormal rounds to zero', f32(0x00000001), 0x0000],
    ['subnormal tie rounds to even (0)', f32(0x00008000), 0x0000],
    ['subnormal tie rounds to even (2)', f32(0x00018000), 0x0002],
    ['negative subnormal', f32(0x80010000), 0x8001],
  ])('%s', (_label, value, bits) => {
    expect(float32ToBfloat16Bits(value)).toBe(bits);
    expect(float32ToBfloat16(new Float32Array([value]))[0]).toBe(bits);
  });

  test('signalling NaN with a low payload stays NaN (not Infinity)', () => {
    const bits = float32ToBfloat16Bits(f32(0x7f800001));
    expect(Number.isNaN(bfloat16BitsToFloat32(bits))).toBe(true);
  });

  test('works on an unaligned view and on plain arrays', () => {
    const buffer = new ArrayBuffer(16);
    const values = [1, -2.5, APPROX_PI];
    const expected = [0x3f80, 0xc020, 0x4049];
    expect([...float32ToBfloat16(values)]).toEqual(expected);
    new Float32Array(buffer, 4, 3).set(values);
    expect([...float32ToBfloat16(new Float32Array(buffer, 4, 3))]).toEqual(expected);
  });
});

describe('bfloat16ToFloat32', () => {
  test('is exact and inverts the rounding for representable values', () => {
    const bits = new Uint16Array([0x3f80, 0xc020, 0x4049, 0x7f80, 0xff80, 0x0001, 0x8000]);
    const values = bfloat16ToFloat32(bits);
    expect([...values]).toEqual([1, -2.5, 3.140625, Infinity, -Infinity, f32(0x00010000), -0]);
    expect([...float32ToBfloat16(values)]).toEqual([...bits]);
    expect(Number.isNaN(bfloat16ToFloat32(new Uint16Array([0x7fc0]))[0])).toBe(true);
  });
});
