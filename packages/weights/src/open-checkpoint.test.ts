import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { CheckpointNotFoundError } from './errors/checkpoint-not-found-error.js';
import { TensorNotFoundError } from './errors/tensor-not-found-error.js';
import { openCheckpoint } from './open-checkpoint.js';
import { writeShardedCheckpoint } from './test-utils/write-sharded.js';
import { writeSafetensors } from './write-safetensors.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'weights-ckpt-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('openCheckpoint', () => {
  test('a single model.safetensors', async () => {
    await writeSafetensors(join(dir, 'model.safetensors'), [
      { name: 'w', dtype: 'BF16', shape: [2], data: new Float32Array([1, -2.5]) },
    ]);
    const checkpoint = await openCheckpoint(dir);
    expect(checkpoint.kind).toBe('single');
    expect(checkpoint.names()).toEqual(['w']);
    expect(checkpoint.fileOf('w')).toBe(join(dir, 'model.safetensors'));
    expect(await checkpoint.readFloat32('w')).toEqual(new Float32Array([1, -2.5]));
    expect((await checkpoint.info('w')).shape).toEqual([2]);
    // { shared: true }: the stored bytes (bf16 1 = 0x3f80, -2.5 = 0xc020) in a SharedArrayBuffer
    const shared = await checkpoint.read('w', { shared: true });
    expect(shared.bytes.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect([...shared.bytes]).toEqual([0x80, 0x3f, 0x20, 0xc0]);
    expect((await checkpoint.read('w')).bytes.buffer).toBeInstanceOf(ArrayBuffer);
    await checkpoint.close();
  });

  test('a sharded checkpoint reads as one, opening shards only when needed', async () => {
    await writeShardedCheckpoint(dir, {
      'model-00001-of-00002.safetensors': [
        { name: 'a', dtype: 'F32', shape: [2], data: new Float32Array([1, 2]) },
        { name: 'b', dtype: 'I64', shape: [1], data: new BigInt64Array([-3n]) },
      ],
      'model-00002-of-00002.safetensors': [
        { name: 'c', dtype: 'F16', shape: [1], data: new Float32Array([0.5]) },
      ],
    });
    const checkpoint = await openCheckpoint(dir);
    expect(checkpoint.kind).toBe('sharded');
    expect(checkpoint.metadata).toEqual({ total_size: 8 + 8 + 2 });
    expect(checkpoint.names().sort()).toEqual(['a', 'b', 'c']);
    expect(checkpoint.fileOf('c')).toBe(join(dir, 'model-00002-of-00002.safetensors'));
    // Shard 2 is broken on disk; reading from shard 1 must not touch it.
    await writeFile(join(dir, 'model-00002-of-00002.safetensors'), 'garbage!');
    expect(await checkpoint.readFloat32('a')).toEqual(new Float32Array([1, 2]));
    expect([...(await checkpoint.read('b')).bytes]).toEqual([0xfd, ...new Array(7).fill(0xff)]);
    expect([...(await checkpoint.read('b', { shared: true })).bytes]).toEqual([
      0xfd,
      ...new Array(7).fill(0xff),
    ]);
    await expect(checkpoint.readFloat32('c')).rejects.toMatchObject({
      code: 'safetensors/header-length', // 'garbage!' read as a u64 length is far over the limit
      file: join(dir, 'model-00002-of-00002.safetensors'),
    });
    await expect(checkpoint.read('zz')).rejects.toThrow(TensorNotFoundError);
    await checkpoint.close();
  });

  test('a folder with neither file', async () => {
    await expect(openCheckpoint(dir)).rejects.toThrow(CheckpointNotFoundError);
  });

  test('the index wins over a stray model.safetensors', async () => {
    await writeSafetensors(join(dir, 'model.safetensors'), [
      { name: 'stray', dtype: 'U8', shape: [1], data: new Uint8Array(1) },
    ]);
    await writeShardedCheckpoint(dir, {
      's.safetensors': [{ name: 'x', dtype: 'U8', shape: [1], data: new Uint8Array(1) }],
    });
    const checkpoint = await openCheckpoint(dir);
    expect(checkpoint.names()).toEqual(['x']);
    await checkpoint.close();
  });

  test('a Hugging Face cache snapshot may link its shards to ../../blobs', async () => {
    const repo = join(dir, 'models--google--gemma-3-4b-it');
    const snapshot = join(repo, 'snapshots', 'abc123');
    await mkdir(join(repo, 'blobs'), { recursive: true });
    await mkdir(snapshot, { recursive: true });
    await writeShardedCheckpoint(join(repo, 'blobs'), {
      '0f1e': [{ name: 'x', dtype: 'U8', shape: [1], data: new Uint8Array([9]) }],
    });
    await symlink('../../blobs/0f1e', join(snapshot, 'model-00001-of-00001.safetensors'));
    await writeFile(
      join(snapshot, 'model.safetensors.index.json'),
      JSON.stringify({ weight_map: { x: 'model-00001-of-00001.safetensors' } }),
    );
    const checkpoint = await openCheckpoint(snapshot);
    expect([...(await checkpoint.read('x')).bytes]).toEqual([9]);
    await checkpoint.close();
  });
});
