import { expect, test } from 'vitest';
import { withPackedTensors } from './packed-linear.js';
import type { ReadBytesOptions, WeightSource } from './weight-source.js';

const stored: Record<string, Uint8Array> = {
  a: new Uint8Array([1, 2, 3, 4]),
  b: new Uint8Array([5, 6]),
};

function source(seen: (ReadBytesOptions | undefined)[]): WeightSource {
  return {
    readFloat32: async () => new Float32Array(0),
    async read(name, options) {
      seen.push(options);
      const bytes =
        options?.buffers?.take(stored[name]!.byteLength) ?? new Uint8Array(stored[name]!.byteLength);
      bytes.set(stored[name]!);
      return { dtype: 'BF16', bytes };
    },
  };
}

test('a packed tensor read with buffers: parts read into taken buffers, given back, the whole in a taken one', async () => {
  const taken: Uint8Array[] = [];
  const given: Uint8Array[] = [];
  const buffers = {
    take(byteLength: number) {
      const bytes = new Uint8Array(new SharedArrayBuffer(byteLength));
      taken.push(bytes);
      return bytes;
    },
    give: (bytes: Uint8Array) => given.push(bytes),
  };
  const seen: (ReadBytesOptions | undefined)[] = [];
  const { bytes, dtype } = await withPackedTensors(source(seen)).read!('a+b', { shared: true, buffers });
  expect(dtype).toBe('BF16');
  expect([...bytes]).toEqual([1, 2, 3, 4, 5, 6]);
  expect(taken.map((t) => t.byteLength)).toEqual([4, 2, 6]);
  expect(bytes).toBe(taken[2]);
  expect(given).toEqual([taken[0], taken[1]]);
  expect(seen.every((o) => o?.buffers === buffers && o.shared === true)).toBe(true);
});

test('without buffers a packed tensor is a new shared concatenation, as before', async () => {
  const seen: (ReadBytesOptions | undefined)[] = [];
  const { bytes } = await withPackedTensors(source(seen)).read!('a+b', { shared: true });
  expect([...bytes]).toEqual([1, 2, 3, 4, 5, 6]);
  expect(bytes.buffer).toBeInstanceOf(SharedArrayBuffer);
  expect(seen).toEqual([{}, {}]);
});
