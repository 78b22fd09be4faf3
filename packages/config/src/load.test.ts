import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ConfigFileError } from './errors/config-file-error.js';
import { loadGenerationConfig, loadModelConfig, loadPreprocessorConfig } from './load.js';
import { fixture } from './test-utils/fixtures.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gemma3-config-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function folder(files: Record<string, string>): Promise<string> {
  const sub = await mkdtemp(join(dir, 'ckpt-'));
  for (const [name, text] of Object.entries(files)) await writeFile(join(sub, name), text);
  return sub;
}

describe('loaders', () => {
  test('loads config.json, generation defaults when generation_config.json is absent', async () => {
    const sub = await folder({ 'config.json': JSON.stringify(fixture('gemma-3-4b-it.config.json')) });
    const config = await loadModelConfig(sub);
    expect(config.model_type).toBe('gemma3');
    const generation = await loadGenerationConfig(sub, config);
    expect(generation.eos_token_id).toEqual([1, 106]);
    expect(generation.do_sample).toBe(false);
  });

  test('generation config without a model config given reads config.json', async () => {
    const sub = await folder({
      'config.json': JSON.stringify(fixture('gemma-3-1b-it.config.json')),
      'generation_config.json': JSON.stringify({ top_k: 64, do_sample: true }),
    });
    expect(await loadGenerationConfig(sub)).toMatchObject({
      top_k: 64,
      do_sample: true,
      eos_token_id: [1, 106],
      bos_token_id: 2,
    });
  });

  test('invalid JSON names the file', async () => {
    const sub = await folder({ 'config.json': '{"model_type": "gemma3_text",' });
    const error = await loadModelConfig(sub).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigFileError);
    expect((error as ConfigFileError).file).toBe(join(sub, 'config.json'));
    expect((error as ConfigFileError).reason).toMatch(/not valid JSON/);
  });

  test('missing config.json names the file', async () => {
    const sub = await folder({});
    await expect(loadModelConfig(sub)).rejects.toThrow(`${join(sub, 'config.json')}: cannot be read`);
  });

  test('validation errors carry the full path of the file', async () => {
    const sub = await folder({
      'config.json': JSON.stringify({ model_type: 'gemma3_text', hidden_size: -1 }),
    });
    await expect(loadModelConfig(sub)).rejects.toThrow(`${join(sub, 'config.json')}: hidden_size:`);
  });

  test('preprocessor + processor configs', async () => {
    const sub = await folder({
      'preprocessor_config.json': JSON.stringify(fixture('gemma-3-4b-it.preprocessor_config.json')),
      'processor_config.json': JSON.stringify({ image_seq_length: 256, processor_class: 'Gemma3Processor' }),
    });
    const config = await loadPreprocessorConfig(sub);
    expect(config.size).toEqual({ height: 896, width: 896 });
    expect(config.image_seq_length).toBe(256);
  });
});
