import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { openSafetensors, type ReadBuffers } from './open-safetensors.js';
import { writeSafetensors } from './write-safetensors.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'weights-buffers-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('read with buffers fills the buffer take gives (stale bytes overwritten), sized to the tensor', async () => {
  const path = join(dir, 'w.safetensors');
  const a = new Uint16Array([0x3f80, 0xc020, 0x4049]);
  const b = new Float32Array([1, -2]);
  await writeSafetensors(path, [
    { name: 'a', dtype: 'BF16', shape: [3], data: a },
    { name: 'b', dtype: 'F32', shape: [2], data: b },
  ]);
  const asked: number[] = [];
  const given: Uint8Array[] = [];
  const buffers: ReadBuffers = {
    take(byteLength) {
      asked.push(byteLength);
      return new Uint8Array(new SharedArrayBuffer(byteLength)).fill(0xee);
    },
    give: (bytes) => given.push(bytes),
  };
  const file = await openSafetensors(path);
  try {
    const ra = await file.read('a', { shared: true, buffers });
    const rb = await file.read('b', { buffers });
    expect(asked).toEqual([6, 8]);
    expect(ra.bytes.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect([...ra.bytes]).toEqual([...new Uint8Array(a.buffer)]);
    expect([...rb.bytes]).toEqual([...new Uint8Array(b.buffer)]);
    expect(given).toEqual([]); // giving back is the caller's
  } finally {
    await file.close();
  }
});
