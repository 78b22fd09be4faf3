import { join } from 'node:path';
import { exportTransformersJs } from '@gemma3/transformers-js';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { pipeline, type TextGenerationPipeline } from './pipeline.js';
import { createTinyModels, type TinyModels } from './test-utils/tiny-models.js';

let models: TinyModels;
let fromCheckpoint: TextGenerationPipeline;
let fromExport: TextGenerationPipeline;

beforeAll(async () => {
  models = await createTinyModels(['tiny-text']);
  const exported = join(models.root, 'tiny-text-tjs');
  await exportTransformersJs(models.dir('tiny-text'), exported, { dtype: 'fp32', progress: false });
  fromCheckpoint = await pipeline('text-generation', models.dir('tiny-text'), {
    cacheDir: models.cacheDir,
    progress: false,
    dtype: 'fp32', // the export is fp32: the same weights, the same greedy tokens
  });
  fromExport = await pipeline('text-generation', exported, { progress: false });
}, 60_000);

afterAll(async () => {
  await fromCheckpoint?.dispose();
  await fromExport?.dispose();
  await models?.cleanup();
});

describe('text-generation on a transformers.js export folder', { timeout: 30_000 }, () => {
  test('is detected, runs its graphs, and generates what the checkpoint generates (greedy)', async () => {
    expect(fromExport.model.constructor.name).toBe('TransformersJsCausalLM');
    const prompt = 'The capital of France is';
    const a = await fromCheckpoint.run(prompt, { maxNewTokens: 8, temperature: 0 });
    const b = await fromExport.run(prompt, { maxNewTokens: 8, temperature: 0 });
    expect(b.tokenIds).toEqual(a.tokenIds);
    expect(b.text).toBe(a.text);
    expect(b.usage.promptTokens).toBe(a.usage.promptTokens);
  });
});
