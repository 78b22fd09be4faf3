import { float16BitsToFloat32 } from '@gemma3/weights';
import { describe, expect, it } from 'vitest';
import { dequantizeQ4_0, dequantizeQ8_0, quantizeQ4_0, quantizeQ8_0 } from './quantize.js';

function block(f: (j: number) => number): Float32Array {
  return Float32Array.from({ length: 32 }, (_, j) => f(j));
}

describe('Q8_0', () => {
  it('stores d = max|x| / 127 as f16 and q = round(x / d)', () => {
    const x = block((j) => (j - 16) / 4); // -4 .. 3.75
    const out = quantizeQ8_0(x);
    expect(out.length).toBe(34);
    const view = new DataView(out.buffer);
    const d = float16BitsToFloat32(view.getUint16(0, true));
    expect(d).toBeCloseTo(4 / 127, 4);
    expect(view.getInt8(2)).toBe(-127); // x = -4 is the largest magnitude
    expect(view.getInt8(2 + 16)).toBe(0);
    expect(view.getInt8(2 + 31)).toBe(Math.round(3.75 / (4 / 127)));
  });

  it('reconstructs within half a step, and a zero block as zeros', () => {
    const x = block((j) => Math.sin(j * 1.3) * 0.02);
    const back = dequantizeQ8_0(quantizeQ8_0(x), 32);
    const step = 0.02 / 127;
    for (let j = 0; j < 32; j++)
      expect(Math.abs((back[j] as number) - (x[j] as number))).toBeLessThan(step * 0.51 + 1e-6);
    expect([...dequantizeQ8_0(quantizeQ8_0(new Float32Array(32)), 32)]).toEqual(new Array(32).fill(0));
  });
});

describe('Q4_0', () => {
  it('uses d = max / -8 with the sign of the largest-magnitude value, which maps to q = 0 exactly', () => {
    const x = block((j) => (j === 5 ? 1.6 : j === 20 ? -0.8 : 0.1 * Math.cos(j)));
    const out = quantizeQ4_0(x);
    expect(out.length).toBe(18);
    const d = float16BitsToFloat32(new DataView(out.buffer).getUint16(0, true));
    expect(d).toBeCloseTo(-0.2, 4); // f16 scale
    expect((out[2 + 5] as number) & 0x0f).toBe(0); // element 5: low nibble of byte 5, (0 - 8) * -0.2 = 1.6
    // element 20 = 16 + 4: high nibble of byte 4; -0.8 / -0.2 + 8.5 = 12.5 -> 12
    expect((out[2 + 4] as number) >> 4).toBe(12);
    const back = dequantizeQ4_0(out, 32);
    expect(back[5]).toBeCloseTo(1.6, 3);
    expect(back[20]).toBeCloseTo(-0.8, 3);
  });

  it('reconstructs within half a step (clamped at q = 15 on the side opposite to max)', () => {
    const x = block((j) => Math.sin(j * 0.7 + 1));
    const back = dequantizeQ4_0(quantizeQ4_0(x), 32);
    let amax = 0;
    for (const v of x) amax = Math.max(amax, Math.abs(v));
    const step = amax / 8;
    for (let j = 0; j < 32; j++) {
      const v = x[j] as number;
      // q = 15 is the top code, (15 - 8) = 7 steps: values past 7.5 steps on that side are clamped
      const bound = Math.max(step * 0.5, Math.abs(v) - 7 * step) + 1e-3; // + f16 rounding of d
      expect(Math.abs((back[j] as number) - v)).toBeLessThanOrEqual(bound);
    }
  });

  it('handles many blocks independently', () => {
    const x = new Float32Array(96);
    x.set(
      block(() => 1),
      32,
    );
    const back = dequantizeQ4_0(quantizeQ4_0(x), 96);
    expect(back.subarray(0, 32).every((v) => v === 0)).toBe(true);
    expect([...back.subarray(32, 64)]).toEqual(new Array(32).fill(1));
  });
});
