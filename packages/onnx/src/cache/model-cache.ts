import { createHash } from 'node:crypto';
import { access, mkdir, mkdtemp, rename, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** Bump when the serialized form of built models changes, so old cache entries are not reused. */
export const ONNX_BUILDER_VERSION = '1';

const COMPLETE_MARKER = 'complete.json';

/**
 * Root of the model cache: `$GEMMA3_CACHE_DIR`, else `$XDG_CACHE_HOME/gemma3`, else `~/.cache/gemma3`.
 */
export function defaultCacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.GEMMA3_CACHE_DIR) return resolve(env.GEMMA3_CACHE_DIR);
  const base = env.XDG_CACHE_HOME ? resolve(env.XDG_CACHE_HOME) : join(homedir(), '.cache');
  return join(base, 'gemma3');
}

export interface FileIdentity {
  path: string;
  size: number;
  mtimeMs: number;
}

/** Absolute path, size and modification time of each file: changes when a checkpoint file is replaced. */
export async function fileIdentities(paths: readonly string[]): Promise<FileIdentity[]> {
  return Promise.all(
    paths.map(async (path) => {
      const s = await stat(path);
      return { path: resolve(path), size: s.size, mtimeMs: Math.round(s.mtimeMs) };
    }),
  );
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** A short hex key from anything JSON-like (key order does not matter). */
export function cacheKey(parts: unknown): string {
  return createHash('sha256')
    .update(stableJson({ builder: ONNX_BUILDER_VERSION, parts }))
    .digest('hex')
    .slice(0, 32);
}

export interface CachedBuild {
  /** Folder holding the built files. */
  dir: string;
  /** True when the folder came from the cache and `build` did not run. */
  hit: boolean;
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Returns `root/key`, building it first when absent. `build` writes into a fresh temporary folder
 * that is renamed into place only when complete, so a crash or a concurrent build never leaves a
 * half-written entry behind (the loser of a race discards its copy and uses the winner's).
 */
export async function getOrBuild(
  root: string,
  key: string,
  build: (dir: string) => Promise<void>,
  describe: unknown = {},
): Promise<CachedBuild> {
  const dir = join(root, key);
  if (await exists(join(dir, COMPLETE_MARKER))) return { dir, hit: true };
  await mkdir(root, { recursive: true });
  const tmp = await mkdtemp(join(root, `.tmp-${key}-`));
  try {
    await build(tmp);
    await writeFile(
      join(tmp, COMPLETE_MARKER),
      `${JSON.stringify({ key, describe, builtAt: new Date().toISOString() }, null, 2)}\n`,
    );
    if (await exists(join(dir, COMPLETE_MARKER))) {
      // Another process finished the same build while we were building: never delete its entry (it
      // may be loading it right now); discard ours.
      await rm(tmp, { recursive: true, force: true });
      return { dir, hit: false };
    }
    if (await exists(dir)) await rm(dir, { recursive: true, force: true }); // an incomplete leftover
    try {
      await rename(tmp, dir);
    } catch (error) {
      if (!(await exists(join(dir, COMPLETE_MARKER)))) throw error;
      await rm(tmp, { recursive: true, force: true }); // someone else finished first
    }
  } catch (error) {
    await rm(tmp, { recursive: true, force: true });
    throw error;
  }
  return { dir, hit: false };
}
