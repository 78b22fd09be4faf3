import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { LocalModelNotFoundError } from './errors/local-model-not-found-error.js';
import { localModelFolder, looksLikePath } from './local-model-folder.js';
import { resolveModel } from './resolve-model.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'gemma3-local-'));
  await mkdir(join(root, 'model'));
  await writeFile(join(root, 'model', 'config.json'), '{}');
  await mkdir(join(root, 'empty'));
  await writeFile(join(root, 'file.txt'), 'x');
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe('local model folders', () => {
  test('an absolute or relative folder with config.json is returned as given, without the hub', async () => {
    expect(
      await resolveModel(join(root, 'model'), { fetch: () => Promise.reject(new Error('no network')) }),
    ).toBe(join(root, 'model'));
    const rel = `./${relative(process.cwd(), join(root, 'model'))}`;
    expect(await localModelFolder(rel)).toBe(rel);
  });

  test.each([
    ['missing', 'nope'],
    ['not-a-directory', 'file.txt'],
    ['no-config', 'empty'],
  ] as const)('%s: a clear LocalModelNotFoundError', async (problem, name) => {
    const error = await localModelFolder(join(root, name)).catch((e) => e);
    expect(error).toBeInstanceOf(LocalModelNotFoundError);
    expect(error.problem).toBe(problem);
    expect(error.path).toBe(join(root, name));
    expect(error.message).toContain(join(root, name));
  });

  test('an id-shaped value that is not an existing path is left to the id parser', async () => {
    expect(await localModelFolder('google/gemma-3-4b-it')).toBeUndefined();
  });

  test('which values look like paths', () => {
    for (const path of ['/a', './a', '../a', '.', '..', '~/a', 'a\\b'])
      expect(looksLikePath(path)).toBe(true);
    for (const id of ['google/gemma-3-4b-it', 'a/b']) expect(looksLikePath(id)).toBe(false);
  });
});
