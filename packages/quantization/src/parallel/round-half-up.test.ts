import { describe, expect, it } from 'vitest';
import { randomMatrix } from '../test-utils/random.js';
import { roundHalfUp } from './round-half-up.js';

/** The double `steps` representable values away from x (x finite, not crossing zero). */
function ulpsAway(x: number, steps: number): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  view.setBigInt64(0, view.getBigInt64(0) + BigInt(x < 0 ? -steps : steps));
  return view.getFloat64(0);
}

describe('roundHalfUp', () => {
  it('equals Math.round at and within 64 ulps of every half and whole number from -300 to 300', () => {
    let checked = 0;
    const wrong: number[] = [];
    for (let k = -300; k <= 300; k++) {
      for (const centre of [k + 0.5, k]) {
        if (centre === 0) continue;
        for (let steps = -64; steps <= 64; steps++) {
          const x = ulpsAway(centre, steps);
          if (roundHalfUp(x) !== Math.round(x)) wrong.push(x); // !==: -0 and 0 store alike
          checked++;
        }
      }
    }
    expect(wrong).toEqual([]);
    expect(checked).toBeGreaterThan(150_000);
  });

  it('equals Math.round on the double below 0.5, around zero, and on random values of every scale', () => {
    const special = [0.49999999999999994, -0.49999999999999994, 0.5, -0.5, 1.5, -1.5, 0, -0, 5e-324, -5e-324];
    for (const x of special) expect(roundHalfUp(x), `x = ${x}`).toBe(Math.round(x) + 0);
    const r = randomMatrix(200_000, 7);
    const wrong: number[] = [];
    for (let i = 0; i < r.length; i++) {
      const x = r[i]! * 2 ** ((i % 58) - 8) * Math.PI; // magnitudes 2^-8 .. 2^51
      if (roundHalfUp(x) !== Math.round(x)) wrong.push(x);
    }
    expect(wrong).toEqual([]);
  });

  it('beyond 2^52, at infinities and NaN, clamped as the kernels clamp, it gives what Math.round gives', () => {
    const clampInt8 = (v: number) => new Int8Array([Math.min(127, Math.max(-127, v))])[0];
    const clampBlock = (v: number) => new Uint8Array([Math.min(Math.max(v + 8, 0), 15)])[0];
    for (const x of [
      2 ** 52,
      2 ** 52 + 1,
      2 ** 53 + 2,
      -(2 ** 52) - 1,
      1e300,
      -1e300,
      Infinity,
      -Infinity,
      NaN,
    ]) {
      expect(clampInt8(roundHalfUp(x)), `x = ${x}`).toBe(clampInt8(Math.round(x)));
      expect(clampBlock(roundHalfUp(x)), `x = ${x}`).toBe(clampBlock(Math.round(x)));
    }
  });
});
