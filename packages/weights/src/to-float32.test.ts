import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, test } from 'vitest';
import { bfloat16ToFloat32 } from './convert/bfloat16.js';
import { float16ToFloat32 } from './convert/float16.js';
import { readWidened } from './to-float32.js';

/** A source of stored 16-bit values that answers reads after a random short delay. */
function slowReader(bits: Uint16Array) {
  const bytes = new Uint8Array(bits.buffer);
  return async (target: Uint8Array, first: number): Promise<void> => {
    await sleep(Math.floor(Math.random() * 3));
    target.set(bytes.subarray(2 * first, 2 * first + target.length));
  };
}

describe('readWidened (read chunk k + 1 while widening chunk k, in the output buffer)', () => {
  test.each([
    [1, 1],
    [2, 2],
    [7, 2],
    [8, 4],
    [1001, 64],
    [1001, 63],
    [1000, 1000],
    [1000, 5000],
  ])('%i values in chunks of %i', async (count, chunk) => {
    const bits = new Uint16Array(count).map((_, i) => (i * 40503 + 17) & 0xffff);
    for (const dtype of ['BF16', 'F16'] as const) {
      const out = await readWidened(new Float32Array(count), dtype, slowReader(bits), chunk);
      const expected = dtype === 'BF16' ? bfloat16ToFloat32(bits) : float16ToFloat32(bits);
      // Compare bit patterns so that NaNs compare too.
      expect(new Uint32Array(out.buffer)).toEqual(new Uint32Array(expected.buffer));
    }
  });

  test('a failed read rejects', async () => {
    const failing = async () => {
      throw new Error('disk gone');
    };
    await expect(readWidened(new Float32Array(10), 'BF16', failing, 4)).rejects.toThrow('disk gone');
  });
});
