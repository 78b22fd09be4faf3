import { bfloat16ToFloat32 } from '@gemma3/weights';
import { describe, expect, test } from 'vitest';
import { normalQuantile } from './normal-table.js';
import { fillNormalBf16, normalBf16Table, tensorKeys } from './random-bf16.js';

function stats(values: Float32Array) {
  let sum = 0;
  let squares = 0;
  for (const v of values) {
    sum += v;
    squares += v * v;
  }
  const mean = sum / values.length;
  return { mean, std: Math.sqrt(squares / values.length - mean * mean) };
}

describe('seeded bf16 normals', () => {
  test('normalQuantile matches known quantiles', () => {
    expect(normalQuantile(0.5)).toBeCloseTo(0, 9);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232, 5);
    expect(normalQuantile(0.8413447)).toBeCloseTo(1, 5);
  });

  test('samples have the requested mean and std', () => {
    const out = new Uint16Array(1 << 18);
    fillNormalBf16(out, normalBf16Table(1, 0.1), tensorKeys(7, 'w'), 0);
    const { mean, std } = stats(bfloat16ToFloat32(out));
    // 262144 samples: standard error of the mean 0.1 / 512 = 2e-4; bf16 rounding near 1 is 2^-8.
    expect(Math.abs(mean - 1)).toBeLessThan(1e-3);
    expect(Math.abs(std - 0.1)).toBeLessThan(2e-3);
  });

  test('any chunking gives the same elements', () => {
    const keys = tensorKeys(3, 'model.layers.0.mlp.up_proj.weight');
    const table = normalBf16Table(0, 0.02);
    const whole = new Uint16Array(1000);
    fillNormalBf16(whole, table, keys, 0);
    const tail = new Uint16Array(400);
    fillNormalBf16(tail, table, keys, 600);
    expect(tail).toEqual(whole.subarray(600));
  });

  test('seed and tensor name both change the stream', () => {
    const table = normalBf16Table(0, 0.02);
    const draw = (seed: number, name: string) => {
      const out = new Uint16Array(64);
      fillNormalBf16(out, table, tensorKeys(seed, name), 0);
      return out;
    };
    expect(draw(1, 'a')).toEqual(draw(1, 'a'));
    expect(draw(1, 'a')).not.toEqual(draw(2, 'a'));
    expect(draw(1, 'a')).not.toEqual(draw(1, 'b'));
  });
});
