import { readdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { InvalidPipelineInputError } from './errors/invalid-pipeline-input-error.js';
import type { PipelineMessage } from './messages.js';
import { pipeline, type TextGenerationPipeline } from './pipeline.js';
import type { PipelineOptions } from './pipeline-options.js';
import { gradientPng } from './test-utils/png.js';
import { createTinyModels, type TinyModels } from './test-utils/tiny-models.js';
import { prefillWeightOpsOf, quantizationOptionsOf, visionWeightOpsOf } from './weight-ops.js';

/**
 * dtype / quantization options on the tiny random checkpoints (seed 0, real tokenizer). Bounds are
 * relative to the fp32 logit spread and loose: @gemma3/quantization measured q8 b32 at 4.9% and q4 b32 at
 * 35% of the spread (max abs) on tiny-text, whose 64-wide random weights amplify rounding noise.
 */
let models: TinyModels;
const PROMPT = 'The quick brown fox jumps over the lazy dog because';

async function logitsOf(pipe: TextGenerationPipeline): Promise<Float32Array> {
  const ids = pipe.tokenizer.encode(PROMPT);
  const out = await pipe.model.forward({ inputIds: [ids] });
  return new Float32Array(out.logits.data as Float32Array);
}

async function textPipeline(options: PipelineOptions): Promise<TextGenerationPipeline> {
  return pipeline('text-generation', models.dir('tiny-text'), {
    cacheDir: models.cacheDir,
    progress: false,
    ...options,
  });
}

function compare(a: Float32Array, b: Float32Array): { max: number; spread: number } {
  let max = 0;
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < a.length; i++) {
    max = Math.max(max, Math.abs(a[i]! - b[i]!));
    lo = Math.min(lo, a[i]!);
    hi = Math.max(hi, a[i]!);
  }
  return { max, spread: hi - lo };
}

async function decoderBuilds(): Promise<number> {
  const entries = await readdir(models.cacheDir, { recursive: true });
  return entries.filter((e) => e.endsWith('model.onnx')).length;
}

const logits: Record<string, Float32Array> = {};

beforeAll(async () => {
  models = await createTinyModels(['tiny-text', 'tiny-vlm']);
}, 60_000);

afterAll(async () => {
  await models?.cleanup();
});

describe('text-generation with dtype (tiny-text)', { timeout: 60_000 }, () => {
  test("'fp32' and its alias 'float32' share one float32 build and give the same logits", async () => {
    for (const dtype of ['fp32', 'float32'] as const) {
      const pipe = await textPipeline({ dtype });
      logits[dtype] = await logitsOf(pipe);
      await pipe.dispose();
    }
    expect(logits.float32).toEqual(logits.fp32);
    expect(await decoderBuilds()).toBe(1);
  });

  test('q8 and q4: own builds, logits near fp32 (q4 further), greedy generation runs', async () => {
    const errors: Record<string, number> = {};
    for (const dtype of ['q8', 'q4'] as const) {
      const pipe = await textPipeline({ dtype });
      logits[dtype] = await logitsOf(pipe);
      const { max, spread } = compare(logits.fp32!, logits[dtype]!);
      errors[dtype] = max / spread;
      const out = await pipe.run(PROMPT, { maxNewTokens: 4, temperature: 0 });
      expect(out.tokenIds.length).toBeGreaterThan(0);
      expect(out.tokenIds.length).toBeLessThanOrEqual(4);
      expect(out.usage.completionTokens).toBe(out.tokenIds.length);
      expect(out.text).toBe(pipe.tokenizer.decode(out.tokenIds, { skipSpecialTokens: true }));
      await pipe.dispose();
    }
    console.log('[quantized] tiny-text max abs logit error / fp32 spread', errors);
    // fp32, q8 (MatMulInteger: one graph for both steps), q4 (a decode graph and its int8 prefill graph).
    expect(await decoderBuilds()).toBe(4);
    expect(errors.q8!).toBeGreaterThan(0);
    expect(errors.q8!).toBeLessThanOrEqual(0.1);
    expect(errors.q4!).toBeGreaterThan(errors.q8!);
    expect(errors.q4!).toBeLessThanOrEqual(0.7);
  });

  test('quantization and per-module overrides reach the build', async () => {
    const pipe = await textPipeline({
      dtype: 'q4',
      quantization: { blockSize: 64, symmetric: false },
      modules: { embedding: 'fp32', lmHead: 'q8', vision: 'fp32' },
    });
    const own = await logitsOf(pipe);
    await pipe.dispose();
    expect(await decoderBuilds()).toBe(6);
    expect(compare(logits.q4!, own).max).toBeGreaterThan(0);
    expect(compare(logits.fp32!, own).max / compare(logits.fp32!, own).spread).toBeLessThanOrEqual(0.7);
  });

  test("prefill: 'same' builds one graph (its embedding table inside), same logits; bad values are named", async () => {
    const pipe = await textPipeline({ dtype: 'q4', prefill: 'same' });
    expect(await logitsOf(pipe)).toEqual(logits.q4);
    await pipe.dispose();
    expect(await decoderBuilds()).toBe(7); // a q4 decode graph holding its table, no prefill graph
    expect(() => prefillWeightOpsOf({ dtype: 'q4', prefill: 'fast' as never }, undefined)).toThrow(
      /prefill.*'int8' or 'same'/,
    );
  });
});

describe('image-text-to-text with dtype (tiny-vlm)', { timeout: 60_000 }, () => {
  const question: PipelineMessage[] = [
    {
      role: 'user',
      content: [
        { type: 'image', image: gradientPng(40, 30) },
        { type: 'text', text: 'What is shown in this image?' },
      ],
    },
  ];

  for (const dtype of ['q8', 'q4'] as const) {
    test(`${dtype}: answers an image question (text decoder ${dtype}, vision tower per VISION_DEFAULTS)`, async () => {
      const vlm = await pipeline('image-text-to-text', models.dir('tiny-vlm'), {
        cacheDir: models.cacheDir,
        progress: false,
        dtype,
      });
      try {
        const out = await vlm.run(question, { maxNewTokens: 3, temperature: 0 });
        expect(out.tokenIds.length).toBeGreaterThan(0);
        expect(out.tokenIds.length).toBeLessThanOrEqual(3);
        expect(out.usage.promptTokens).toBeGreaterThan(16); // the image's 16 soft tokens are in the prompt
        expect(out.messages?.at(-1)?.role).toBe('assistant');
      } finally {
        await vlm.dispose();
      }
    });
  }
});

describe('dtype refusals (before anything is loaded)', () => {
  const cases: [string, PipelineOptions, RegExp][] = [
    ['an unknown dtype', { dtype: 'int4' as never }, /^dtype: "int4" is not supported/],
    ['a block size', { dtype: 'q4', quantization: { blockSize: 48 as never } }, /^quantization\.blockSize/],
    ['a vision dtype', { dtype: 'q4', modules: { vision: 'q2' as never } }, /^modules\.vision: "q2"/],
    [
      'a vision kernel',
      { dtype: 'q4', modules: { visionTower: { kernel: 'DynamicQuantizeMatMul', bits: 4 } } },
      /^modules\.visionTower\.bits: DynamicQuantizeMatMul is 8-bit only/,
    ],
    ['an unknown module', { dtype: 'q4', modules: { attention: 'q8' } as never }, /^modules\.attention/],
    ['a module dtype', { dtype: 'q4', modules: { lmHead: 'q2' as never } }, /^modules\.lmHead: "q2"/],
    [
      'DynamicQuantizeMatMul with q4',
      { dtype: 'q4', linearKernel: 'DynamicQuantizeMatMul' },
      /^linearKernel: DynamicQuantizeMatMul needs 8-bit/,
    ],
    ['quantization with fp32', { dtype: 'fp32', quantization: { bits: 8 } }, /^quantization: has no effect/],
  ];
  for (const [name, options, message] of cases) {
    test(name, async () => {
      const error = await pipeline('text-generation', '/nonexistent/model-folder', options).catch((e) => e);
      expect(error).toBeInstanceOf(InvalidPipelineInputError);
      expect(error.message).toMatch(message);
    });
  }

  test('fp32 without overrides is a plain float32 build; q8 maps to the quantization options', () => {
    expect(quantizationOptionsOf({})).toBeUndefined();
    expect(quantizationOptionsOf({ dtype: 'float32' })).toBeUndefined();
    expect(quantizationOptionsOf({ dtype: 'q8', modules: { lmHead: 'q4', projector: 'fp32' } })).toEqual({
      dtype: 'q8',
      linearKernel: 'MatMulInteger', // q8's default kernel
      modules: { lmHead: { bits: 4, blockSize: 32, symmetric: true, accuracyLevel: 4 }, projector: 'fp32' },
    });
    // The vision tower of image-text-to-text: VISION_DEFAULTS per dtype, overrides reach it.
    expect(visionWeightOpsOf({})).toBeUndefined();
    expect(visionWeightOpsOf({ dtype: 'q4' })?.cacheKey).toBe('vision=dqmm8;projector=fp32');
    expect(visionWeightOpsOf({ dtype: 'q4', modules: { vision: 'fp32' } })?.cacheKey).toBe('fp32');
    expect(visionWeightOpsOf({ dtype: 'fp32', modules: { projector: 'q8' } })?.cacheKey).toBe(
      'vision=fp32;projector=q8b32sl4',
    );
    const q8Blocks = { bits: 8, blockSize: 32, symmetric: true, accuracyLevel: 4 };
    expect(quantizationOptionsOf({ dtype: 'q4', modules: { vision: 'q8' } })).toEqual({
      dtype: 'q4',
      modules: {
        embedding: q8Blocks, // q4 keeps the tied embedding / LM head at 8 bits, as llama.cpp's Q4_0
        lmHead: q8Blocks,
        visionTower: { kernel: 'MatMulNBits', ...q8Blocks },
      },
    });
    // ... unless told otherwise, or the linears are not 4-bit
    expect(quantizationOptionsOf({ dtype: 'q4', modules: { lmHead: 'q4' } })?.modules).toEqual({
      embedding: q8Blocks,
      lmHead: { ...q8Blocks, bits: 4 },
    });
    expect(quantizationOptionsOf({ dtype: 'q4', quantization: { bits: 8 } })?.modules).toBeUndefined();
  });
});
