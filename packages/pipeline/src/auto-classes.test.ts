import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Gemma3ForCausalLM } from '@gemma3/text-model';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { AutoModel } from './auto-model.js';
import { AutoProcessor } from './auto-processor.js';
import { AutoTokenizer } from './auto-tokenizer.js';
import { TaskModelMismatchError } from './errors/task-model-mismatch-error.js';
import { UnsupportedModelError } from './errors/unsupported-model-error.js';
import { detectModelKind } from './model-kind.js';
import { createTinyModels, type TinyModels } from './test-utils/tiny-models.js';

let models: TinyModels;
beforeAll(async () => {
  models = await createTinyModels(['tiny-text']);
});
afterAll(async () => {
  await models?.cleanup();
});

async function configFolder(name: string, config: unknown): Promise<string> {
  const dir = join(models.root, name);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'config.json'), typeof config === 'string' ? config : JSON.stringify(config));
  return dir;
}

describe('Auto classes choose from config.json', { timeout: 30_000 }, () => {
  test('model_type and architectures decide the kind', async () => {
    expect(await detectModelKind(models.dir('tiny-text'))).toEqual({
      kind: 'text',
      modelType: 'gemma3_text',
      architectures: ['Gemma3ForCausalLM'],
    });
    const released4b = await configFolder('4b', {
      model_type: 'gemma3',
      architectures: ['Gemma3ForConditionalGeneration'],
    });
    expect((await detectModelKind(released4b)).kind).toBe('multimodal');
    const noArchitectures = await configFolder('bare', { model_type: 'gemma3_text' });
    expect((await detectModelKind(noArchitectures)).kind).toBe('text');
  });

  test.each([
    ['gemma2', { model_type: 'gemma2', architectures: ['Gemma2ForCausalLM'] }, /model_type "gemma2"/],
    [
      'no model_type',
      { architectures: ['Gemma3ForCausalLM'] },
      /no model_type, architectures Gemma3ForCausalLM/,
    ],
    ['a vision-only config', { model_type: 'siglip_vision_model' }, /model_type "siglip_vision_model"/],
    ['a JSON array', [1, 2], /no model_type is not Gemma 3/],
  ])('%s: UnsupportedModelError', async (name, config, message) => {
    const dir = await configFolder(name.replace(/\W/g, '-'), config);
    const error = await AutoTokenizer.fromPretrained(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnsupportedModelError);
    expect((error as Error).message).toMatch(message);
  });

  test('invalid JSON in config.json is the config package error, naming the file', async () => {
    const dir = await configFolder('broken', '{ "model_type": ');
    await expect(AutoModel.fromPretrained(dir)).rejects.toThrow(/broken\/config\.json: is not valid JSON/);
  });

  test('AutoModel gives Gemma3ForCausalLM for gemma3_text; AutoProcessor refuses a text-only model', async () => {
    const model = await AutoModel.fromPretrained(models.dir('tiny-text'), {
      cacheDir: models.cacheDir,
      progress: false,
    });
    try {
      expect(model).toBeInstanceOf(Gemma3ForCausalLM);
    } finally {
      await model.dispose();
    }
    const error = await AutoProcessor.fromPretrained(models.dir('tiny-text')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskModelMismatchError);
    expect((error as Error).message).toMatch(
      /AutoProcessor needs a multimodal Gemma 3 model.*use AutoTokenizer/,
    );
  });
});
