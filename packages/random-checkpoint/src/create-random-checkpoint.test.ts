import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  loadGenerationConfig,
  loadModelConfig,
  loadPreprocessorConfig,
  parseModelConfig,
} from '@gemma3/config';
import { bfloat16ToFloat32, openSafetensors } from '@gemma3/weights';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createRandomCheckpoint } from './create-random-checkpoint.js';
import { OutputDirNotEmptyError } from './errors/output-dir-not-empty-error.js';
import { RandomCheckpointError } from './errors/random-checkpoint-error.js';
import { presetFiles } from './presets.js';
import { randomCheckpointTensors } from './tensors.js';
import { tokenizerFiles } from './tokenizer-files.js';

let root: string;
let textDir: string;
let vlmDir: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'gemma3-random-'));
  textDir = join(root, 'tiny-text');
  vlmDir = join(root, 'tiny-vlm');
  await createRandomCheckpoint({ preset: 'tiny-text', outDir: textDir, seed: 1 });
  await createRandomCheckpoint({ preset: 'tiny-vlm', outDir: vlmDir, seed: 1 });
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const sha256 = async (file: string) =>
  createHash('sha256')
    .update(await readFile(file))
    .digest('hex');

function stats(values: Float32Array) {
  let sum = 0;
  let squares = 0;
  for (const v of values) {
    sum += v;
    squares += v * v;
  }
  const mean = sum / values.length;
  return { mean, std: Math.sqrt(squares / values.length - mean * mean) };
}

describe('createRandomCheckpoint', () => {
  test('tiny-text folder: the files, a config that parses to the preset, generation ids', async () => {
    expect((await readdir(textDir)).sort()).toEqual([
      'config.json',
      'generation_config.json',
      'model.safetensors',
      'tokenizer.json',
      'tokenizer_config.json',
    ]);
    const config = await loadModelConfig(textDir);
    expect(config).toEqual(parseModelConfig(presetFiles('tiny-text').config, 'preset'));
    const generation = await loadGenerationConfig(textDir, config);
    expect(generation.eos_token_id).toEqual([1, 106]);
  });

  test('tiny-vlm folder: processor files agree with the model config', async () => {
    const files = await readdir(vlmDir);
    expect(files).toContain('preprocessor_config.json');
    expect(files).toContain('processor_config.json');
    const chat = JSON.parse(await readFile(join(vlmDir, 'chat_template.json'), 'utf8'));
    expect(chat.chat_template).toMatch(/start_of_turn/);
    const config = await loadModelConfig(vlmDir);
    const processor = await loadPreprocessorConfig(vlmDir);
    if (config.model_type !== 'gemma3') throw new Error('expected multimodal');
    expect(processor.image_seq_length).toBe(config.mm_tokens_per_image);
  });

  test('model.safetensors holds exactly the expected names, shapes and dtypes', async () => {
    for (const [preset, dir] of [
      ['tiny-text', textDir],
      ['tiny-vlm', vlmDir],
    ] as const) {
      const file = await openSafetensors(join(dir, 'model.safetensors'));
      try {
        const expected = randomCheckpointTensors(preset);
        expect(file.names().sort()).toEqual(expected.map((t) => t.name).sort());
        for (const t of expected) expect(file.info(t.name)).toMatchObject({ dtype: 'BF16', shape: t.shape });
        expect(file.metadata).toMatchObject({ format: 'pt', 'gemma3.random_seed': '1' });
      } finally {
        await file.close();
      }
    }
  });

  test('weights follow their role: matrices N(0, 0.02), RMSNorm w N(0, 0.1), LayerNorm w N(1, 0.1)', async () => {
    const file = await openSafetensors(join(vlmDir, 'model.safetensors'));
    try {
      const read = async (name: string) =>
        stats(bfloat16ToFloat32(new Uint16Array((await file.read(name)).bytes.buffer)));
      const embed = await read('model.language_model.embed_tokens.weight');
      expect(Math.abs(embed.mean)).toBeLessThan(1e-4);
      expect(embed.std).toBeCloseTo(0.02, 3);
      // 128 x 64 = 8192 samples: std estimate within a few percent.
      const up = await read('model.language_model.layers.0.mlp.up_proj.weight');
      expect(up.std).toBeGreaterThan(0.018);
      expect(up.std).toBeLessThan(0.022);
      const norm = await read('model.language_model.layers.3.input_layernorm.weight');
      expect(norm.std).toBeGreaterThan(0.07);
      expect(norm.std).toBeLessThan(0.13);
      const layerNorm = await read('model.vision_tower.vision_model.encoder.layers.1.layer_norm1.weight');
      expect(layerNorm.mean).toBeGreaterThan(0.95);
      expect(layerNorm.mean).toBeLessThan(1.05);
    } finally {
      await file.close();
    }
  });

  test('tokenizer files are the real ones', async () => {
    for (const [name, source] of Object.entries(tokenizerFiles())) {
      expect(await sha256(join(textDir, name))).toBe(await sha256(source));
    }
  });

  test('same seed gives identical bytes, another seed different weights', async () => {
    const again = join(root, 'again');
    const other = join(root, 'other');
    await createRandomCheckpoint({ preset: 'tiny-text', outDir: again, seed: 1 });
    await createRandomCheckpoint({ preset: 'tiny-text', outDir: other, seed: 2 });
    const first = await sha256(join(textDir, 'model.safetensors'));
    expect(await sha256(join(again, 'model.safetensors'))).toBe(first);
    expect(await sha256(join(other, 'model.safetensors'))).not.toBe(first);
    expect(await readFile(join(again, 'config.json'), 'utf8')).toBe(
      await readFile(join(textDir, 'config.json'), 'utf8'),
    );
  });

  test('reports progress up to the total', async () => {
    const seen: number[] = [];
    let total = 0;
    await createRandomCheckpoint({
      preset: 'tiny-text',
      outDir: join(root, 'progress'),
      onProgress: (p) => {
        seen.push(p.bytesWritten);
        total = p.totalBytes;
      },
    });
    expect(seen.at(-1)).toBe(total);
    expect(total).toBe(
      randomCheckpointTensors('tiny-text').reduce((s, t) => s + 2 * t.shape.reduce((a, b) => a * b), 0),
    );
  });

  test('transformers-v5 config format', async () => {
    const dir = join(root, 'v5');
    await createRandomCheckpoint({ preset: 'tiny-vlm', outDir: dir, configFormat: 'transformers-v5' });
    const json = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8'));
    expect(json.text_config.rope_parameters.full_attention).toEqual({
      rope_type: 'linear',
      rope_theta: 1e6,
      factor: 8,
    });
    expect(await loadModelConfig(dir)).toEqual(await loadModelConfig(vlmDir));
  });

  describe('refuses bad options', () => {
    const reject = async (options: Parameters<typeof createRandomCheckpoint>[0], option: string) => {
      const error = await createRandomCheckpoint(options).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RandomCheckpointError);
      expect((error as RandomCheckpointError).option).toBe(option);
    };

    test('unknown preset', () => reject({ preset: '2b' as never, outDir: join(root, 'x') }, 'preset'));
    test('bad seed', () => reject({ preset: 'tiny-text', outDir: join(root, 'x'), seed: -1 }, 'seed'));
    test('fractional seed', () =>
      reject({ preset: 'tiny-text', outDir: join(root, 'x'), seed: 1.5 }, 'seed'));
    test('non-empty folder without force', async () => {
      const error = await createRandomCheckpoint({ preset: 'tiny-text', outDir: textDir }).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(OutputDirNotEmptyError);
      expect((error as OutputDirNotEmptyError).dir).toBe(textDir);
    });
    test('output path that is not a folder', () =>
      reject({ preset: 'tiny-text', outDir: join(textDir, 'config.json', 'x') }, 'outDir'));
  });

  test('force writes into a non-empty folder and removes a stale shard index', async () => {
    const dir = join(root, 'forced');
    await createRandomCheckpoint({ preset: 'tiny-text', outDir: dir, seed: 1 });
    await writeFile(join(dir, 'model.safetensors.index.json'), '{}');
    await writeFile(join(dir, 'notes.txt'), 'mine');
    await createRandomCheckpoint({ preset: 'tiny-text', outDir: dir, seed: 1, force: true });
    const files = await readdir(dir);
    expect(files).not.toContain('model.safetensors.index.json');
    expect(files).toContain('notes.txt');
    expect(files.some((f) => f.includes('partial'))).toBe(false);
    expect(await sha256(join(dir, 'model.safetensors'))).toBe(
      await sha256(join(textDir, 'model.safetensors')),
    );
  });
});
