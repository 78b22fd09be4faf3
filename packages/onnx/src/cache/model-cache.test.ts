import { mkdtemp, readdir, readFile, rename, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { cacheKey, defaultCacheRoot, fileIdentities, getOrBuild } from './model-cache.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'gemma3-cache-'));
  dirs.push(dir);
  return dir;
}

describe('model cache', () => {
  test('cache root follows GEMMA3_CACHE_DIR, then XDG_CACHE_HOME, then ~/.cache', () => {
    expect(defaultCacheRoot({ GEMMA3_CACHE_DIR: '/c/g' })).toBe('/c/g');
    expect(defaultCacheRoot({ XDG_CACHE_HOME: '/x' })).toBe('/x/gemma3');
    expect(defaultCacheRoot({})).toMatch(/\.cache\/gemma3$/);
  });

  test('keys ignore object key order and change with any part', () => {
    expect(cacheKey({ a: 1, b: [1, 2] })).toBe(cacheKey({ b: [1, 2], a: 1 }));
    expect(cacheKey({ a: 1 })).not.toBe(cacheKey({ a: 2 }));
    expect(cacheKey({ a: 1 })).toMatch(/^[0-9a-f]{32}$/);
  });

  test('file identity changes when a file is rewritten', async () => {
    const dir = await tempDir();
    const file = join(dir, 'model.safetensors');
    await writeFile(file, 'abc');
    await utimes(file, 1000, 1000);
    const before = cacheKey(await fileIdentities([file]));
    await writeFile(file, 'abcd');
    await utimes(file, 1000, 1000);
    expect(cacheKey(await fileIdentities([file]))).not.toBe(before);
  });

  test('miss builds once, hit skips the build, and nothing temporary is left', async () => {
    const root = await tempDir();
    let builds = 0;
    const build = async (dir: string) => {
      builds += 1;
      await writeFile(join(dir, 'model.onnx'), 'bytes');
    };
    const first = await getOrBuild(root, 'k1', build);
    const second = await getOrBuild(root, 'k1', build);
    expect([first.hit, second.hit, builds]).toEqual([false, true, 1]);
    expect(await readFile(join(second.dir, 'model.onnx'), 'utf8')).toBe('bytes');
    expect(await readdir(root)).toEqual(['k1']);
  });

  test('a failed build leaves no entry and no temporary folder', async () => {
    const root = await tempDir();
    await expect(
      getOrBuild(root, 'k2', async () => {
        throw new Error('convert failed');
      }),
    ).rejects.toThrow('convert failed');
    expect(await readdir(root)).toEqual([]);
  });

  test('two concurrent builds of one key both succeed with one entry', async () => {
    const root = await tempDir();
    const build = async (dir: string) => {
      await new Promise((r) => setTimeout(r, 20));
      await writeFile(join(dir, 'model.onnx'), 'x');
    };
    const [a, b] = await Promise.all([getOrBuild(root, 'k3', build), getOrBuild(root, 'k3', build)]);
    expect(a.dir).toBe(b.dir);
    expect(await readdir(root)).toEqual(['k3']);
  });

  test('a build that finishes second never deletes the entry the first one put in place', async () => {
    // Another process completes the same key while this one is still building (and may be loading
    // its entry right now): that entry must stay as it is.
    const root = await tempDir();
    const winner = await getOrBuild(root, 'k4', async (dir) => {
      await writeFile(join(dir, 'model.onnx'), 'winner');
    });
    const entry = join(winner.dir, 'model.onnx');
    let buildRan = false;
    const result = await getOrBuildRacing(root, 'k4', entry, () => {
      buildRan = true;
    });
    expect(buildRan).toBe(true);
    expect(result.dir).toBe(winner.dir);
    expect(await readFile(entry, 'utf8')).toBe('winner');
    expect((await readdir(root)).filter((name) => name.startsWith('.tmp-'))).toEqual([]);
  });
});

/** getOrBuild on a key whose entry appears (complete) while the build runs, as if built elsewhere. */
async function getOrBuildRacing(root: string, key: string, winnerFile: string, onBuild: () => void) {
  const saved = await readFile(winnerFile, 'utf8');
  const hidden = `${join(root, key)}.hidden`;
  await rename(join(root, key), hidden); // absent when the call starts ...
  return getOrBuild(root, key, async (dir) => {
    onBuild();
    await writeFile(join(dir, 'model.onnx'), 'loser');
    await rename(hidden, join(root, key)); // ... and complete by the time this build ends
    expect(saved).toBe('winner');
  });
}
