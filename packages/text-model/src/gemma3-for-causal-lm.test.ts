import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openCheckpoint, writeSafetensors } from '@gemma3/weights';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CheckpointLayoutError } from './errors/checkpoint-layout-error.js';
import { InvalidInputError } from './errors/invalid-input-error.js';
import { TensorShapeError } from './errors/tensor-shape-error.js';
import { Gemma3ForCausalLM } from './gemma3-for-causal-lm.js';
import { loadDecoder } from './runtime/load-decoder.js';
import { maxAbs, REPO_ROOT } from './test-utils/golden.js';

const TINY = join(REPO_ROOT, 'fixtures/checkpoints/tiny-text');
const work = await mkdtemp(join(tmpdir(), 'gemma3-text-model-'));
const cacheDir = join(work, 'cache');
afterAll(() => rm(work, { recursive: true, force: true }));

/** A prompt longer than tiny-text's sliding window (8). */
const PROMPT = [2, 17, 301, 44, 9, 250, 7, 88, 123, 400, 5, 61, 77, 19, 333, 2, 8, 91, 45];

describe('Gemma3ForCausalLM', () => {
  let model: Gemma3ForCausalLM;
  beforeAll(async () => {
    model = await Gemma3ForCausalLM.fromPretrained(TINY, { cacheDir, progress: false });
  });
  afterAll(() => model.dispose());

  test('the second load takes the built model from the cache', async () => {
    const again = await Gemma3ForCausalLM.fromPretrained(TINY, { cacheDir, progress: false });
    expect(again.loaded.cacheHit).toBe(true);
    expect(again.loaded.buildMs).toBe(0);
    expect(again.loaded.modelPath).toBe(model.loaded.modelPath);
    await again.dispose();
  });

  test('prefill in chunks (several tokens after a cache, across the window) equals one forward', async () => {
    const full = (await model.forward({ inputIds: [PROMPT] })).logits.data as Float32Array;
    const v = model.config.vocab_size;
    let out = await model.forward({ inputIds: [PROMPT.slice(0, 6)] });
    const chunks: Float32Array[] = [out.logits.data as Float32Array];
    for (const [a, b] of [
      [6, 9],
      [9, 19],
    ] as const) {
      out = await model.forward({ inputIds: [PROMPT.slice(a, b)], pastKeyValues: out.pastKeyValues });
      chunks.push(out.logits.data as Float32Array);
    }
    const joined = new Float32Array(PROMPT.length * v);
    let offset = 0;
    for (const c of chunks) {
      joined.set(c, offset);
      offset += c.length;
    }
    expect(maxAbs(joined, full)).toBeLessThan(1e-5);
  });

  test('a static cache gives the same logits as a dynamic one', async () => {
    const dynamic = (await model.forward({ inputIds: [PROMPT], logits: 'last' })).logits.data as Float32Array;
    const pastKeyValues = model.createCache({ batchSize: 1, kind: 'static', maxLength: 64 });
    const fixed = (await model.forward({ inputIds: [PROMPT], logits: 'last', pastKeyValues })).logits
      .data as Float32Array;
    expect(maxAbs(fixed, dynamic)).toBeLessThan(1e-5);
  });

  test('generate() stops when its AbortSignal fires, keeping the tokens so far', async () => {
    const controller = new AbortController();
    let seen = 0;
    const result = await model.generate({
      inputIds: [PROMPT],
      maxNewTokens: 10,
      minNewTokens: 10,
      doSample: false,
      signal: controller.signal,
      streamer: {
        onTokens() {
          seen += 1;
          if (seen === 3) controller.abort();
        },
      },
    });
    expect(result.finishReasons).toEqual(['abort']);
    expect(result.newTokens[0]!.length).toBe(3);
  });

  test('truncating rejected draft tokens (past the sliding window) then continuing equals a full forward', async () => {
    const v = model.config.vocab_size;
    const accepted = [...PROMPT, 11, 12];
    const full = (await model.forward({ inputIds: [[...accepted, 13]] })).logits.data as Float32Array;
    const pastKeyValues = model.createCache({ batchSize: 1, slidingSlack: 4 });
    await model.forward({ inputIds: [PROMPT], pastKeyValues });
    await model.forward({ inputIds: [[11, 12, 99, 98]], pastKeyValues }); // two drafts rejected
    pastKeyValues.truncate(accepted.length);
    const next = (await model.forward({ inputIds: [[13]], pastKeyValues })).logits.data as Float32Array;
    expect(maxAbs(next, full.subarray(accepted.length * v))).toBeLessThan(1e-5);

    const noSlack = model.createCache({ batchSize: 1 });
    await model.forward({ inputIds: [[...PROMPT, 11, 12, 99, 98]], pastKeyValues: noSlack });
    expect(() => noSlack.truncate(accepted.length)).toThrow(/slidingSlack/);
  });

  test('bad inputs are InvalidInputErrors', async () => {
    await expect(model.forward({ inputIds: [[2, 3], [4]] })).rejects.toThrow(InvalidInputError);
    await expect(model.forward({ inputIds: [[2, 512]] })).rejects.toThrow(/outside \[0, 512\)/);
    await expect(model.forward({ inputIds: [[2, 3]], attentionMask: [[1, 1, 1]] })).rejects.toThrow(
      /attentionMask/,
    );
    const pastKeyValues = model.createCache({ batchSize: 2 });
    await expect(model.forward({ inputIds: [[2, 3]], pastKeyValues })).rejects.toThrow(/batch 2/);
  });

  test("embeddings override: a row replaced by another token's scaled embedding gives that token's logits", async () => {
    const decoder = await loadDecoder(
      TINY,
      { output: 'logits', embedsOverride: true },
      { cacheDir, progress: false },
    );
    const c = decoder.config;
    const checkpoint = await openCheckpoint(TINY);
    const table = await checkpoint.readFloat32('model.embed_tokens.weight');
    await checkpoint.close();
    const h = c.hidden_size;
    const scale = Math.fround(Math.sqrt(h));
    const ids = [2, 17, 301, 44];
    const swapped = [2, 17, 99, 44]; // position 2 gets token 99's embedding through the override
    const embeds = new Float32Array(ids.length * h);
    for (let k = 0; k < h; k++) embeds[2 * h + k] = Math.fround(table[99 * h + k]! * scale);
    const run = async (tokens: number[], override?: { embeds: Float32Array; mask: Uint8Array }) => {
      const cache = model.createCache({ batchSize: 1 });
      const out = await decoder.runner.step(cache, {
        inputIds: BigInt64Array.from(tokens, BigInt),
        mask: new Uint8Array(tokens.length).fill(1),
        count: tokens.length,
        outputPositions: 'all',
        embedsOverride: override,
      });
      return out.data as Float32Array;
    };
    const expected = await run(swapped);
    const overridden = await run(ids, { embeds, mask: Uint8Array.from([0, 0, 1, 0]) });
    expect(maxAbs(overridden, expected)).toBe(0);
    await decoder.runner.session.release();
  });
});

describe('checkpoints', () => {
  async function copyWithConfig(
    name: string,
    edit: (config: Record<string, unknown>) => unknown,
  ): Promise<string> {
    const dir = join(work, name);
    await mkdir(dir, { recursive: true });
    const config = JSON.parse(await readFile(join(TINY, 'config.json'), 'utf8')) as Record<string, unknown>;
    await writeFile(join(dir, 'config.json'), JSON.stringify(edit(config)));
    await copyFile(join(TINY, 'model.safetensors'), join(dir, 'model.safetensors'));
    return dir;
  }

  test('a tensor whose shape disagrees with config.json is named with both shapes', async () => {
    const dir = await copyWithConfig('wrong-shape', (c) => ({ ...c, intermediate_size: 96 }));
    const error = await Gemma3ForCausalLM.fromPretrained(dir, { cacheDir, progress: false }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TensorShapeError);
    expect(error).toMatchObject({
      tensor: 'model.layers.0.mlp.gate_proj.weight',
      expected: [96, 64],
      actual: [128, 64],
    });
  });

  test('a layer count that disagrees with config.json is a layout error', async () => {
    const dir = await copyWithConfig('wrong-layers', (c) => ({ ...c, num_hidden_layers: 6 }));
    await expect(Gemma3ForCausalLM.fromPretrained(dir, { cacheDir, progress: false })).rejects.toThrow(
      CheckpointLayoutError,
    );
  });

  test('the text decoder of a multimodal checkpoint (released names) gives the text-only logits', async () => {
    const dir = join(work, 'multimodal');
    await mkdir(dir, { recursive: true });
    const text = JSON.parse(await readFile(join(TINY, 'config.json'), 'utf8')) as Record<string, unknown>;
    await writeFile(
      join(dir, 'config.json'),
      JSON.stringify({
        model_type: 'gemma3',
        text_config: { ...text, architectures: undefined },
        vision_config: {
          hidden_size: 32,
          intermediate_size: 64,
          num_hidden_layers: 1,
          num_attention_heads: 2,
          image_size: 28,
          patch_size: 14,
        },
        mm_tokens_per_image: 1,
      }),
    );
    const source = await openCheckpoint(TINY);
    const tensors = [];
    for (const name of source.names()) {
      const raw = await source.read(name);
      tensors.push({
        name: name.replace(/^model\./, 'language_model.model.'),
        dtype: raw.dtype,
        shape: raw.shape,
        data: raw.bytes,
      });
    }
    await source.close();
    await writeSafetensors(join(dir, 'model.safetensors'), tensors);
    const multimodal = await Gemma3ForCausalLM.fromPretrained(dir, { cacheDir, progress: false });
    const textOnly = await Gemma3ForCausalLM.fromPretrained(TINY, { cacheDir, progress: false });
    const a = (await multimodal.forward({ inputIds: [PROMPT] })).logits.data as Float32Array;
    const b = (await textOnly.forward({ inputIds: [PROMPT] })).logits.data as Float32Array;
    expect(maxAbs(a, b)).toBe(0);
    await multimodal.dispose();
    await textOnly.dispose();
  });

  test('a separate lm_head.weight is used instead of the tied embedding', async () => {
    const dir = await copyWithConfig('untied', (c) => ({ ...c, tie_word_embeddings: false }));
    const source = await openCheckpoint(TINY);
    const tensors = [];
    for (const name of source.names()) {
      const raw = await source.read(name);
      tensors.push({ name, dtype: raw.dtype, shape: raw.shape, data: raw.bytes });
    }
    const embed = await source.readFloat32('model.embed_tokens.weight');
    await source.close();
    // twice the embedding: exact in bf16 and float32, so every logit doubles exactly
    tensors.push({
      name: 'lm_head.weight',
      dtype: 'F32' as const,
      shape: [512, 64],
      data: embed.map((x) => 2 * x),
    });
    await writeSafetensors(join(dir, 'model.safetensors'), tensors);
    const untied = await Gemma3ForCausalLM.fromPretrained(dir, { cacheDir, progress: false });
    const tied = await Gemma3ForCausalLM.fromPretrained(TINY, { cacheDir, progress: false });
    const a = (await untied.forward({ inputIds: [PROMPT.slice(0, 5)] })).logits.data as Float32Array;
    const b = (await tied.forward({ inputIds: [PROMPT.slice(0, 5)] })).logits.data as Float32Array;
    expect(
      maxAbs(
        a,
        b.map((x) => 2 * x),
      ),
    ).toBe(0);
    await untied.dispose();
    await tied.dispose();
  });
});
