import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { CheckpointIndexError } from './errors/checkpoint-index-error.js';
import { CheckpointNotFoundError } from './errors/checkpoint-not-found-error.js';
import { DuplicateTensorAcrossShardsError } from './errors/duplicate-tensor-across-shards-error.js';
import { SafetensorsClosedError } from './errors/safetensors-closed-error.js';
import { TensorNotFoundError } from './errors/tensor-not-found-error.js';
import { findDuplicateKey } from './find-duplicate-key.js';
import { MAX_HEADER_BYTES } from './header-limits.js';
import { openSafetensors, type ReadOptions, type SafetensorsFile } from './open-safetensors.js';
import { resolveShardPath } from './resolve-shard-path.js';
import type { RawTensor, TensorInfo } from './tensor-info.js';

export const SINGLE_FILE_NAME = 'model.safetensors';
export const INDEX_FILE_NAME = 'model.safetensors.index.json';

export interface OpenCheckpointOptions {
  /**
   * Folder that shard files (after following links) must lie in. Default: the checkpoint folder,
   * or, for a Hugging Face cache snapshot (`<repo>/snapshots/<revision>`), the repository folder
   * `<repo>` (the cache links each file to `<repo>/blobs/`).
   */
  root?: string;
}

/** A tensor's location plus the file that holds it. */
export interface CheckpointTensorInfo extends TensorInfo {
  file: string;
}

/**
 * The tensors of a checkpoint folder, one file or many shards, behind one interface. Shards are
 * opened (header read and validated) on first use; `verify()` opens them all.
 */
export interface Checkpoint {
  readonly folder: string;
  readonly kind: 'single' | 'sharded';
  /** Index `metadata` (sharded) or the file's `__metadata__` (single). */
  readonly metadata: Readonly<Record<string, unknown>>;
  names(): string[];
  has(name: string): boolean;
  /** Path of the file holding `name`. */
  fileOf(name: string): string;
  info(name: string): Promise<CheckpointTensorInfo>;
  /** The bytes as stored; `{ shared: true }`: in a SharedArrayBuffer. */
  read(name: string, options?: ReadOptions): Promise<RawTensor>;
  readFloat32(name: string): Promise<Float32Array>;
  /** Opens every shard and checks it against the index (each tensor where the index says, once). */
  verify(): Promise<void>;
  close(): Promise<void>;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

function defaultRoot(folder: string): string {
  return basename(dirname(folder)) === 'snapshots' ? dirname(dirname(folder)) : folder;
}

/** Opens the checkpoint in `folder`: `model.safetensors.index.json` if present, else `model.safetensors`. */
export async function openCheckpoint(
  folder: string,
  options: OpenCheckpointOptions = {},
): Promise<Checkpoint> {
  const absolute = resolve(folder);
  const indexPath = join(absolute, INDEX_FILE_NAME);
  if (await exists(indexPath)) {
    return openSharded(absolute, indexPath, resolve(options.root ?? defaultRoot(absolute)));
  }
  const singlePath = join(absolute, SINGLE_FILE_NAME);
  if (await exists(singlePath)) return openSingle(absolute, await openSafetensors(singlePath));
  throw new CheckpointNotFoundError(absolute);
}

function openSingle(folder: string, file: SafetensorsFile): Checkpoint {
  return {
    folder,
    kind: 'single',
    metadata: file.metadata,
    names: () => file.names(),
    has: (name) => file.has(name),
    fileOf(name) {
      file.info(name);
      return file.path;
    },
    info: async (name) => ({ ...file.info(name), file: file.path }),
    read: (name, options) => file.read(name, options),
    readFloat32: (name) => file.readFloat32(name),
    verify: async () => {},
    close: () => file.close(),
  };
}

interface ParsedIndex {
  metadata: Record<string, unknown>;
  weightMap: Map<string, string>;
}

async function parseIndex(indexPath: string): Promise<ParsedIndex> {
  const { size } = await stat(indexPath);
  if (size > MAX_HEADER_BYTES) {
    throw new CheckpointIndexError(
      indexPath,
      `index is ${size} bytes, more than the ${MAX_HEADER_BYTES} allowed`,
    );
  }
  const text = await readFile(indexPath, 'utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    const position = /position (\d+)/.exec(String((error as Error).message))?.[1];
    throw new CheckpointIndexError(
      indexPath,
      `not valid JSON${position === undefined ? '' : ` at character ${position}`}`,
    );
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new CheckpointIndexError(indexPath, 'index must be a JSON object');
  }
  const { weight_map: weightMap, metadata } = json as Record<string, unknown>;
  if (typeof weightMap !== 'object' || weightMap === null || Array.isArray(weightMap)) {
    throw new CheckpointIndexError(
      indexPath,
      'weight_map must be an object mapping tensor names to shard files',
    );
  }
  const duplicate = findDuplicateKey(text);
  if (duplicate !== undefined) {
    throw new CheckpointIndexError(
      indexPath,
      'a key appears twice in the same object',
      duplicate.parentKey === 'weight_map' ? duplicate.key : undefined,
    );
  }
  const map = new Map<string, string>();
  for (const [name, shard] of Object.entries(weightMap)) {
    if (typeof shard !== 'string')
      throw new CheckpointIndexError(indexPath, 'shard file name must be a string', name);
    map.set(name, shard);
  }
  const meta = typeof metadata === 'object' && metadata !== null && !Array.isArray(metadata) ? metadata : {};
  return { metadata: meta as Record<string, unknown>, weightMap: map };
}

async function openSharded(folder: string, indexPath: string, root: string): Promise<Checkpoint> {
  const { metadata, weightMap } = await parseIndex(indexPath);
  // Every shard is checked (name, location, existence) now; their headers are read on first use.
  const shardPaths = new Map<string, string>();
  for (const shardName of new Set(weightMap.values())) {
    shardPaths.set(shardName, await resolveShardPath(indexPath, folder, root, shardName));
  }
  const opened = new Map<string, Promise<SafetensorsFile>>();
  let closed = false;

  const openShard = (shardName: string): Promise<SafetensorsFile> => {
    let file = opened.get(shardName);
    if (file === undefined) {
      const path = shardPaths.get(shardName)!;
      file = openSafetensors(path).then(async (shard) => {
        try {
          checkShard(indexPath, shardName, shard, weightMap);
        } catch (error) {
          await shard.close();
          throw error;
        }
        return shard;
      });
      opened.set(shardName, file);
    }
    return file;
  };

  const shardFor = (name: string): Promise<SafetensorsFile> => {
    if (closed) return Promise.reject(new SafetensorsClosedError(folder, name));
    const shardName = weightMap.get(name);
    if (shardName === undefined) return Promise.reject(new TensorNotFoundError(indexPath, name));
    return openShard(shardName);
  };

  return {
    folder,
    kind: 'sharded',
    metadata,
    names: () => [...weightMap.keys()],
    has: (name) => weightMap.has(name),
    fileOf(name) {
      const shardName = weightMap.get(name);
      if (shardName === undefined) throw new TensorNotFoundError(indexPath, name);
      return shardPaths.get(shardName)!;
    },
    info: async (name) => {
      const shard = await shardFor(name);
      return { ...shard.info(name), file: shard.path };
    },
    read: async (name, options) => (await shardFor(name)).read(name, options),
    readFloat32: async (name) => (await shardFor(name)).readFloat32(name),
    verify: async () => {
      for (const shardName of shardPaths.keys()) await openShard(shardName);
    },
    close: async () => {
      closed = true;
      const files = await Promise.allSettled(opened.values());
      for (const file of files) if (file.status === 'fulfilled') await file.value.close();
    },
  };
}

/** Each tensor the index assigns to this shard is in it, and it holds nothing the index puts elsewhere. */
function checkShard(
  indexPath: string,
  shardName: string,
  shard: SafetensorsFile,
  weightMap: Map<string, string>,
): void {
  for (const [name, assigned] of weightMap) {
    if (assigned === shardName && !shard.has(name)) {
      throw new CheckpointIndexError(
        shard.path,
        `tensor listed in ${indexPath} is absent from this shard`,
        name,
      );
    }
  }
  for (const name of shard.names()) {
    const assigned = weightMap.get(name);
    if (assigned === undefined) {
      throw new CheckpointIndexError(shard.path, `tensor is not listed in ${indexPath}`, name);
    }
    if (assigned !== shardName) throw new DuplicateTensorAcrossShardsError(shard.path, name, assigned);
  }
}
