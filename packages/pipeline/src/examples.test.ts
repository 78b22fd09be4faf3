import { fileURLToPath } from 'node:url';
import { createTinyModels, runTsFile, type TinyModels } from '@gemma3/test-utils';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

// Every program in examples/ runs as the README there says (tsx with examples/tsconfig.json, from the
// sources here), each against the tiny-vlm checkpoint given as the MODEL argument. The READMEs' code
// blocks: readme-examples.test.ts.
const examplesDir = fileURLToPath(new URL('../../../examples/', import.meta.url));
let models: TinyModels;

const runExample = (file: string, ...args: string[]) =>
  runTsFile(file, args, { cwd: examplesDir, env: { GEMMA3_CACHE_DIR: models.cacheDir } });

beforeAll(async () => {
  models = await createTinyModels(['tiny-vlm'], 'examples');
});
afterAll(async () => {
  await models?.cleanup();
});

describe('examples/', { timeout: 120_000 }, () => {
  test('image-question.ts answers and prints the conversation', async () => {
    const run = await runExample('image-question.ts', models.dir('tiny-vlm'));
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/role: 'assistant',\s+content: /);
  });

  test('text-generation.ts prints the answer, token count and speed', async () => {
    const run = await runExample('text-generation.ts', models.dir('tiny-vlm'));
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/\n\d+ tokens, [\d.]+ tokens\/s \(finish: (stop|length)\)\n$/);
  });

  test('multiple-images.ts puts three images in one prompt', async () => {
    const run = await runExample('multiple-images.ts', models.dir('tiny-vlm'));
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/prompt: \d+ tokens with 3 images\n$/);
  });

  test('streaming.ts streams to stdout and reports on stderr', async () => {
    const run = await runExample('streaming.ts', models.dir('tiny-vlm'), 'Tell me a story.');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/^\[(stop|length)\] prefill \d+ ms, \d+ tokens at [\d.]+ tokens\/s\n$/);
  });
});
