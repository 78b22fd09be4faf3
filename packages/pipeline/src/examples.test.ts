import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTinyModels, type TinyModels } from './test-utils/tiny-models.js';

// The examples in examples/ run as the README there says (tsx with examples/tsconfig.json, from
// the sources here), each against the tiny-vlm checkpoint given as the MODEL argument.
const examplesDir = fileURLToPath(new URL('../../../examples/', import.meta.url));
let models: TinyModels;

function runExample(
  file: string,
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--conditions=@gemma3/source', '--import', 'tsx', file, ...args],
      { cwd: examplesDir, env: { ...process.env, GEMMA3_CACHE_DIR: models.cacheDir } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
    );
  });
}

beforeAll(async () => {
  models = await createTinyModels(['tiny-vlm']);
});
afterAll(async () => {
  await models?.cleanup();
});

describe('examples/', { timeout: 60_000 }, () => {
  test('image-question.ts runs as written and answers (the other examples: run by hand, see examples/README.md)', async () => {
    const single = await runExample('image-question.ts', models.dir('tiny-vlm'));
    expect(single.stderr).toBe('');
    expect(single.code).toBe(0);
    expect(single.stdout).toMatch(/role: 'assistant',\s+content: /);
  });
});
