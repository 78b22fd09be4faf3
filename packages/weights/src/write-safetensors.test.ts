import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { SafetensorsDuplicateTensorError } from './errors/safetensors-duplicate-tensor-error.js';
import { SafetensorsWriteError } from './errors/safetensors-write-error.js';
import { createSafetensorsWriter, writeSafetensors } from './write-safetensors.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'weights-write-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function parseFile(bytes: Buffer): { header: Record<string, unknown>; headerLength: number } {
  const headerLength = Number(bytes.readBigUInt64LE(0));
  return { header: JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8')), headerLength };
}

describe('writeSafetensors', () => {
  test('lays out the header (8-byte aligned, space padded) and the bytes back to back', async () => {
    const path = join(dir, 'a.safetensors');
    await writeSafetensors(
      path,
      [
        { name: 'w', dtype: 'F32', shape: [2], data: new Float32Array([1, 2]) },
        { name: 'b', dtype: 'BF16', shape: [1], data: new Float32Array([-2.5]) },
      ],
      { metadata: { format: 'pt' } },
    );
    const bytes = await readFile(path);
    const { header, headerLength } = parseFile(bytes);
    expect(headerLength % 8).toBe(0);
    expect(header).toEqual({
      __metadata__: { format: 'pt' },
      w: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
      b: { dtype: 'BF16', shape: [1], data_offsets: [8, 10] },
    });
    const data = bytes.subarray(8 + headerLength);
    expect(data.length).toBe(10);
    expect(data.readFloatLE(0)).toBe(1);
    expect(data.readFloatLE(4)).toBe(2);
    expect(data.readUInt16LE(8)).toBe(0xc020);
  });

  test('rejects data of the wrong size and leaves no file behind', async () => {
    const path = join(dir, 'bad.safetensors');
    await expect(
      writeSafetensors(path, [{ name: 'w', dtype: 'F32', shape: [3], data: new Float32Array(2) }]),
    ).rejects.toThrow(SafetensorsWriteError);
    expect(await readdir(dir)).toEqual([]);
  });

  test('rejects duplicate names', async () => {
    const t = { name: 'w', dtype: 'U8' as const, shape: [1], data: new Uint8Array(1) };
    await expect(writeSafetensors(join(dir, 'd.safetensors'), [t, t])).rejects.toThrow(
      SafetensorsDuplicateTensorError,
    );
  });
});

describe('createSafetensorsWriter', () => {
  test('accepts each tensor in chunks, in order, and publishes the file on close', async () => {
    const path = join(dir, 's.safetensors');
    const writer = await createSafetensorsWriter(path, [
      { name: 'a', dtype: 'U8', shape: [2, 2] },
      { name: 'empty', dtype: 'F32', shape: [0] },
      { name: 'b', dtype: 'I16', shape: [1] },
    ]);
    expect(await readdir(dir)).not.toContain('s.safetensors');
    await writer.write('a', new Uint8Array([1, 2]));
    await writer.write('a', new Uint8Array([3, 4]));
    await writer.write('b', new Int16Array([-2]));
    await writer.close();
    const bytes = await readFile(path);
    const { headerLength } = parseFile(bytes);
    expect([...bytes.subarray(8 + headerLength)]).toEqual([1, 2, 3, 4, 0xfe, 0xff]);
    expect(await readdir(dir)).toEqual(['s.safetensors']);
  });

  test('writes issued without awaiting each other land in call order', async () => {
    const path = join(dir, 'c.safetensors');
    const writer = await createSafetensorsWriter(path, [
      { name: 'a', dtype: 'U8', shape: [6] },
      { name: 'b', dtype: 'U8', shape: [2] },
    ]);
    await Promise.all([
      writer.write('a', new Uint8Array([1, 2])),
      writer.write('a', new Uint8Array([3, 4])),
      writer.write('a', new Uint8Array([5, 6])),
      writer.write('b', new Uint8Array([7, 8])),
      writer.close(),
    ]);
    const bytes = await readFile(path);
    const { headerLength } = parseFile(bytes);
    expect([...bytes.subarray(8 + headerLength)]).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  test('refuses out-of-order, undeclared, oversized and incomplete tensors', async () => {
    const decl = [
      { name: 'a', dtype: 'U8' as const, shape: [2] },
      { name: 'b', dtype: 'U8' as const, shape: [1] },
    ];
    const outOfOrder = await createSafetensorsWriter(join(dir, 'o'), decl);
    await expect(outOfOrder.write('b', new Uint8Array(1))).rejects.toThrow(/out of order/);
    const undeclared = await createSafetensorsWriter(join(dir, 'u'), decl);
    await expect(undeclared.write('zz', new Uint8Array(1))).rejects.toThrow(/not declared/);
    const oversized = await createSafetensorsWriter(join(dir, 'x'), decl);
    await expect(oversized.write('a', new Uint8Array(3))).rejects.toThrow(/too many bytes/);
    const incomplete = await createSafetensorsWriter(join(dir, 'i'), decl);
    await incomplete.write('a', new Uint8Array(2));
    await expect(incomplete.close()).rejects.toThrow(SafetensorsWriteError);
    expect(await readdir(dir)).toEqual([]);
  });
});
