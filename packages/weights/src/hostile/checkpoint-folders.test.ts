// Crafted broken checkpoint folders: missing shards, shard names escaping the folder, an index that
// disagrees with its shards. Each is a typed error naming the file (and tensor where it applies).
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { CheckpointIndexError } from '../errors/checkpoint-index-error.js';
import { DuplicateTensorAcrossShardsError } from '../errors/duplicate-tensor-across-shards-error.js';
import { ShardMissingError } from '../errors/shard-missing-error.js';
import { ShardPathEscapeError } from '../errors/shard-path-escape-error.js';
import { openCheckpoint } from '../open-checkpoint.js';
import { writeShardedCheckpoint } from '../test-utils/write-sharded.js';
import { type TensorToWrite, writeSafetensors } from '../write-safetensors.js';

let root: string;
let dir: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'weights-hostile-ckpt-'));
  dir = join(root, 'model');
  await mkdir(dir);
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const u8 = (name: string): TensorToWrite => ({ name, dtype: 'U8', shape: [1], data: new Uint8Array([1]) });
const indexPath = () => join(dir, 'model.safetensors.index.json');

async function writeIndex(weightMap: Record<string, unknown>): Promise<void> {
  await writeFile(indexPath(), JSON.stringify({ weight_map: weightMap }));
}

describe('shard files', () => {
  test('a shard named in the index that does not exist', async () => {
    await writeShardedCheckpoint(
      dir,
      { 'a.safetensors': [u8('x')] },
      { x: 'a.safetensors', y: 'b.safetensors' },
    );
    const error = await openCheckpoint(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ShardMissingError);
    expect(error).toMatchObject({ file: join(dir, 'b.safetensors'), shardName: 'b.safetensors' });
  });

  test('a shard that is a folder', async () => {
    await mkdir(join(dir, 'a.safetensors'));
    await writeIndex({ x: 'a.safetensors' });
    await expect(openCheckpoint(dir)).rejects.toThrow(ShardMissingError);
  });

  test.each([
    ['climbing out with ..', '../outside.safetensors'],
    ['climbing out in the middle', 'sub/../../outside.safetensors'],
    ['an absolute path', '/etc/passwd'],
    ['a Windows drive path', 'C:\\Windows\\x.safetensors'],
    ['a Windows-style climb', '..\\outside.safetensors'],
    ['an empty name', ''],
  ])('a shard name %s', async (_label, shardName) => {
    await writeSafetensors(join(root, 'outside.safetensors'), [u8('x')]);
    await writeIndex({ x: shardName });
    const error = await openCheckpoint(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ShardPathEscapeError);
    expect(error).toMatchObject({ file: indexPath(), shardName });
  });

  test('a shard that is a link resolving outside the folder', async () => {
    await writeSafetensors(join(root, 'outside.safetensors'), [u8('x')]);
    await symlink(join(root, 'outside.safetensors'), join(dir, 'a.safetensors'));
    await writeIndex({ x: 'a.safetensors' });
    await expect(openCheckpoint(dir)).rejects.toThrow(ShardPathEscapeError);
    // ... unless the caller names a wider root on purpose.
    const checkpoint = await openCheckpoint(dir, { root });
    expect([...(await checkpoint.read('x')).bytes]).toEqual([1]);
    await checkpoint.close();
  });

  test('a shard in a subfolder inside the checkpoint is fine', async () => {
    await mkdir(join(dir, 'sub'));
    await writeSafetensors(join(dir, 'sub', 'a.safetensors'), [u8('x')]);
    await writeIndex({ x: 'sub/a.safetensors' });
    const checkpoint = await openCheckpoint(dir);
    expect([...(await checkpoint.read('x')).bytes]).toEqual([1]);
    await checkpoint.close();
  });
});

describe('index against shards', () => {
  test('a tensor listed in the index but absent from its shard', async () => {
    await writeShardedCheckpoint(
      dir,
      { 'a.safetensors': [u8('x')] },
      { x: 'a.safetensors', ghost: 'a.safetensors' },
    );
    const checkpoint = await openCheckpoint(dir);
    const error = await checkpoint.read('x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CheckpointIndexError);
    expect(error).toMatchObject({ file: join(dir, 'a.safetensors'), tensor: 'ghost' });
    await checkpoint.close();
  });

  test('the same tensor in two shards', async () => {
    await writeShardedCheckpoint(
      dir,
      { 'a.safetensors': [u8('x')], 'b.safetensors': [u8('x'), u8('y')] },
      { x: 'a.safetensors', y: 'b.safetensors' },
    );
    const checkpoint = await openCheckpoint(dir);
    expect([...(await checkpoint.read('x')).bytes]).toEqual([1]); // shard a alone is consistent
    const error = await checkpoint.verify().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DuplicateTensorAcrossShardsError);
    expect(error).toMatchObject({
      file: join(dir, 'b.safetensors'),
      tensor: 'x',
      indexedShard: 'a.safetensors',
    });
    await checkpoint.close();
  });

  test('a tensor in a shard that the index does not list', async () => {
    await writeShardedCheckpoint(dir, { 'a.safetensors': [u8('x'), u8('extra')] }, { x: 'a.safetensors' });
    const checkpoint = await openCheckpoint(dir);
    await expect(checkpoint.verify()).rejects.toMatchObject({ code: 'checkpoint/index', tensor: 'extra' });
    await checkpoint.close();
  });

  test('the same tensor name twice in weight_map', async () => {
    await writeSafetensors(join(dir, 'a.safetensors'), [u8('x')]);
    await writeFile(indexPath(), '{"weight_map": {"x": "a.safetensors", "x": "b.safetensors"}}');
    await expect(openCheckpoint(dir)).rejects.toMatchObject({ code: 'checkpoint/index', tensor: 'x' });
  });

  test.each([
    ['not JSON', '{"weight_map": '],
    ['not an object', '[]'],
    ['no weight_map', '{"metadata": {}}'],
    ['a shard name that is not a string', '{"weight_map": {"x": 3}}'],
  ])('an index that is %s', async (_label, text) => {
    await writeFile(indexPath(), text);
    const error = await openCheckpoint(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CheckpointIndexError);
    expect(error).toMatchObject({ file: indexPath() });
  });

  test('a shard with a broken header is reported with the shard file', async () => {
    await writeFile(join(dir, 'a.safetensors'), Buffer.from([1, 0, 0, 0, 0, 0, 0, 0, 0x5b]));
    await writeIndex({ x: 'a.safetensors' });
    const checkpoint = await openCheckpoint(dir);
    await expect(checkpoint.read('x')).rejects.toMatchObject({
      code: 'safetensors/header-json',
      file: join(dir, 'a.safetensors'),
    });
    await checkpoint.close();
  });
});
