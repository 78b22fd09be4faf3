import { mkdtemp, rm, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { float16BitsToFloat32 } from './convert/float16.js';
import { SafetensorsClosedError } from './errors/safetensors-closed-error.js';
import { SafetensorsDtypeError } from './errors/safetensors-dtype-error.js';
import { TensorNotFoundError } from './errors/tensor-not-found-error.js';
import { openSafetensors } from './open-safetensors.js';
import { writeSafetensors } from './write-safetensors.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'weights-read-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('round trip through writeSafetensors and openSafetensors', () => {
  test('every dtype comes back byte for byte, with shapes, metadata and file order', async () => {
    const path = join(dir, 'all.safetensors');
    const tensors = [
      { name: 'f64', dtype: 'F64' as const, shape: [2], data: new Float64Array([1.5, -1e300]) },
      { name: 'f32', dtype: 'F32' as const, shape: [2, 2], data: new Float32Array([1, -2, 0.5, 1e-40]) },
      { name: 'f16', dtype: 'F16' as const, shape: [3], data: new Uint16Array([0x3c00, 0xc100, 0x0001]) },
      { name: 'bf16', dtype: 'BF16' as const, shape: [3], data: new Uint16Array([0x3f80, 0xc020, 0x4049]) },
      { name: 'i64', dtype: 'I64' as const, shape: [2], data: new BigInt64Array([-(2n ** 62n), 7n]) },
      { name: 'u64', dtype: 'U64' as const, shape: [1], data: new BigUint64Array([2n ** 64n - 1n]) },
      { name: 'i32', dtype: 'I32' as const, shape: [1], data: new Int32Array([-5]) },
      { name: 'u32', dtype: 'U32' as const, shape: [1], data: new Uint32Array([4e9]) },
      { name: 'i16', dtype: 'I16' as const, shape: [1], data: new Int16Array([-300]) },
      { name: 'u16', dtype: 'U16' as const, shape: [1], data: new Uint16Array([65000]) },
      { name: 'i8', dtype: 'I8' as const, shape: [2], data: new Int8Array([-128, 127]) },
      { name: 'u8', dtype: 'U8' as const, shape: [1], data: new Uint8Array([255]) },
      { name: 'bool', dtype: 'BOOL' as const, shape: [2], data: new Uint8Array([1, 0]) },
      { name: 'scalar', dtype: 'F32' as const, shape: [], data: new Float32Array([3]) },
      { name: 'empty', dtype: 'F32' as const, shape: [0, 4], data: new Float32Array(0) },
    ];
    await writeSafetensors(path, tensors, { metadata: { format: 'pt', note: 'ü' } });
    const file = await openSafetensors(path);
    try {
      expect(file.metadata).toEqual({ format: 'pt', note: 'ü' });
      expect(file.names()).toEqual(tensors.map((t) => t.name));
      for (const t of tensors) {
        const { dtype, shape, data } = await file.readTyped(t.name);
        expect(dtype).toBe(t.dtype);
        expect(shape).toEqual(t.shape);
        expect(data.constructor).toBe(t.data.constructor);
        expect([...(data as ArrayLike<unknown> as unknown[])]).toEqual([
          ...(t.data as ArrayLike<unknown> as unknown[]),
        ]);
      }
      expect(await file.readFloat32('bf16')).toEqual(new Float32Array([1, -2.5, 3.140625]));
      expect(await file.readFloat32('f16')).toEqual(new Float32Array([1, -2.5, 2 ** -24]));
      expect(await file.readFloat32('f64')).toEqual(new Float32Array([1.5, Number.NEGATIVE_INFINITY]));
      expect(await file.readFloat32('f32')).toEqual(new Float32Array([1, -2, 0.5, 1e-40]));
      expect(await file.readFloat32('empty')).toEqual(new Float32Array(0));
      await expect(file.readFloat32('i64')).rejects.toThrow(SafetensorsDtypeError);
      await expect(file.read('nope')).rejects.toThrow(TensorNotFoundError);
    } finally {
      await file.close();
    }
    await expect(file.read('f32')).rejects.toThrow(SafetensorsClosedError);
  });

  test('Float32Array data for BF16/F16 tensors is rounded to nearest even on write', async () => {
    const path = join(dir, 'rounded.safetensors');
    const values = new Float32Array([1, -2.5, 314159 / 100000, Number.NaN, Number.POSITIVE_INFINITY, 1e-42]);
    await writeSafetensors(path, [
      { name: 'b', dtype: 'BF16', shape: [6], data: values },
      { name: 'h', dtype: 'F16', shape: [6], data: values },
    ]);
    const file = await openSafetensors(path);
    const b = (await file.readTyped('b')).data;
    expect([...b]).toEqual([0x3f80, 0xc020, 0x4049, 0x7fc0, 0x7f80, 0x0000]);
    const h = await file.readFloat32('h');
    expect([...h.subarray(0, 3)]).toEqual([1, -2.5, float16BitsToFloat32(0x4248)]);
    expect(Number.isNaN(h[3])).toBe(true);
    await file.close();
  });

  test('names that are special in JavaScript objects or sort oddly keep their place', async () => {
    const path = join(dir, 'names.safetensors');
    const names = ['__proto__', 'constructor', '0', ' ', 'é', 'toString'];
    await writeSafetensors(
      path,
      names.map((name, i) => ({ name, dtype: 'U8' as const, shape: [1], data: new Uint8Array([i]) })),
    );
    const file = await openSafetensors(path);
    expect(file.names()).toEqual(names);
    for (const [i, name] of names.entries()) expect([...(await file.read(name)).bytes]).toEqual([i]);
    await file.close();
    // Zero-size tensors share an offset: only the header text order can keep them in place.
    await writeSafetensors(path, [
      { name: ' ', dtype: 'F64', shape: [0], data: new Uint8Array(0) },
      { name: '0', dtype: 'F64', shape: [0], data: new Uint8Array(0) },
    ]);
    const empty = await openSafetensors(path);
    expect(empty.names()).toEqual([' ', '0']);
    await empty.close();
  });

  test('info gives absolute byte offsets that point at the tensor bytes', async () => {
    const path = join(dir, 'o.safetensors');
    await writeSafetensors(path, [
      { name: 'a', dtype: 'U8', shape: [3], data: new Uint8Array([1, 2, 3]) },
      { name: 'b', dtype: 'U8', shape: [2], data: new Uint8Array([4, 5]) },
    ]);
    const file = await openSafetensors(path);
    const a = file.info('a');
    const b = file.info('b');
    expect(a.byteOffset).toBe(8 + file.headerLength);
    expect(b.byteOffset).toBe(a.byteOffset + 3);
    expect(b.dataOffsets).toEqual([3, 5]);
    expect(b.byteOffset + b.byteLength).toBe(file.fileSize);
    const chunks = [];
    for await (const chunk of file.readChunks('a', 2)) chunks.push([...chunk]);
    expect(chunks).toEqual([[1, 2], [3]]);
    await file.close();
  });

  test('a file cut after opening is reported as truncated when read', async () => {
    const path = join(dir, 't.safetensors');
    await writeSafetensors(path, [{ name: 'a', dtype: 'F32', shape: [1024], data: new Float32Array(1024) }]);
    const file = await openSafetensors(path);
    await truncate(path, 100);
    await expect(file.readFloat32('a')).rejects.toMatchObject({ code: 'safetensors/truncated', tensor: 'a' });
    await file.close();
  });

  test.each([100_001, 100_000])(
    'readFloat32 of BF16 and F16 converts %i values at an unaligned offset exactly (odd and even counts)',
    async (count) => {
      const path = join(dir, 'big.safetensors');
      const bits = new Uint16Array(count).map((_, i) => (i * 7919) & 0xffff);
      await writeSafetensors(path, [
        { name: 'pad', dtype: 'U8', shape: [3], data: new Uint8Array(3) },
        { name: 'b', dtype: 'BF16', shape: [bits.length], data: bits },
        { name: 'h', dtype: 'F16', shape: [bits.length], data: bits },
      ]);
      const file = await openSafetensors(path);
      const b = await file.readFloat32('b');
      const h = await file.readFloat32('h');
      const bWrong = [];
      const hWrong = [];
      const scratch = new Float32Array(1);
      const scratchBits = new Uint32Array(scratch.buffer);
      for (let i = 0; i < bits.length; i++) {
        scratchBits[0] = bits[i]! << 16;
        if (!Object.is(b[i], scratch[0]) && !(Number.isNaN(b[i]) && Number.isNaN(scratch[0]))) bWrong.push(i);
        const hv = float16BitsToFloat32(bits[i]!);
        if (!Object.is(h[i], Math.fround(hv)) && !(Number.isNaN(h[i]) && Number.isNaN(hv))) hWrong.push(i);
      }
      expect(b.length).toBe(count);
      expect(bWrong).toEqual([]);
      expect(hWrong).toEqual([]);
      await file.close();
    },
  );
});
