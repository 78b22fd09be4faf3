import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Gemma3ForCausalLM } from '@gemma3/text-model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDequantizedWeightOps } from './dequantized-weight-ops.js';
import { QuantizationOptionsError } from './errors/quantization-options-error.js';
import type { QuantizationOptions } from './options.js';
import { createQuantizedWeightOps } from './quantized-weight-ops.js';
import { compareLogits } from './report/compare.js';

const TINY = resolve(import.meta.dirname, '../../../fixtures/checkpoints/tiny-text');
// 24 tokens (3x tiny-text's sliding window of 8) drawn from its 512-token vocabulary.
const PROMPT = [2, ...Array.from({ length: 23 }, (_, i) => (i * 37 + 11) % 512)];

let cacheDir: string;
let fp32: Gemma3ForCausalLM;
let reference: Float32Array;
beforeAll(async () => {
  cacheDir = await mkdtemp(join(tmpdir(), 'gemma3-quant-model-'));
  fp32 = await Gemma3ForCausalLM.fromPretrained(TINY, { cacheDir, progress: false });
  reference = (await fp32.forward({ inputIds: [PROMPT] })).logits.data as Float32Array;
});
afterAll(async () => {
  await fp32?.dispose();
  await rm(cacheDir, { recursive: true, force: true });
});

async function built(options: QuantizationOptions) {
  const weightOps = createQuantizedWeightOps(options);
  return Gemma3ForCausalLM.fromPretrained(TINY, { cacheDir, progress: false, weightOps });
}

/**
 * Measured on this fixture (24 positions, 512-token vocabulary; logit spread ~10):
 *   q8 b32 (int8 compute)                max abs 0.48 (4.9% of the spread), mean 0.049, top-1 22/24
 *   q8 b32 accuracy_level 0              max abs 0.38 (3.8%), mean 0.036, top-1 23/24
 *   q8, DynamicQuantizeMatMul linears    max abs 0.50 (5.1%), mean 0.067, top-1 20/24
 *   q8, MatMulInteger linears + LM head  max abs 0.33 (3.3%), mean 0.053, top-1 23/24 (row 0 alone = in a batch)
 *   q4 b32                               max abs 3.5 (35%), mean 0.51, top-1 8/24
 *   q4 b128 asymmetric                   max abs 3.5 (36%), mean 0.59, top-1 8/24
 *   q4, fp32 embedding, q8 LM head       max abs 2.8 (29%), mean 0.46, top-1 10/24
 * q4 errors are ~14x q8's, close to the 16x ratio of their quantization steps: weight rounding, not
 * layout, sets them (the layout is checked against onnxruntime's kernels in onnxruntime-kernels.test.ts).
 * The random 64-wide model amplifies weight noise (see the README's 1b figures: far smaller). Bounds:
 * about 2x the measured error; top-1 well above chance (1/512), which a wrong layout or a table shared
 * wrongly would fall to.
 */
const CASES: { name: string; options: QuantizationOptions; maxRel: number; minTop1: number }[] = [
  { name: 'q8 (b32)', options: { dtype: 'q8' }, maxRel: 0.1, minTop1: 0.8 },
  {
    name: 'q8 accuracy_level 0',
    options: { dtype: 'q8', quantization: { accuracyLevel: 0 } },
    maxRel: 0.08,
    minTop1: 0.8,
  },
  {
    name: 'q8 with DynamicQuantizeMatMul linear layers',
    options: { dtype: 'q8', linearKernel: 'DynamicQuantizeMatMul' },
    maxRel: 0.1,
    minTop1: 0.8,
  },
  {
    name: 'q8 with MatMulInteger linear layers and LM head (int8 activations per row)',
    options: { dtype: 'q8', linearKernel: 'MatMulInteger' },
    maxRel: 0.1,
    minTop1: 0.8,
  },
  { name: 'q4 (b32)', options: { dtype: 'q4' }, maxRel: 0.7, minTop1: 0.2 },
  {
    name: 'q4 b128 asymmetric (block wider than hidden 64: padded)',
    options: { dtype: 'q4', quantization: { blockSize: 128, symmetric: false } },
    maxRel: 0.7,
    minTop1: 0.2,
  },
  {
    name: 'q4 with fp32 embedding and q8 LM head',
    options: { dtype: 'q4', modules: { embedding: 'fp32', lmHead: { bits: 8 } } },
    maxRel: 0.6,
    minTop1: 0.2,
  },
];

describe('quantized tiny-text builds against fp32', () => {
  it.each(CASES)(
    '$name: logits close to fp32, greedy generation runs',
    async ({ options, maxRel, minTop1 }) => {
      const model = await built(options);
      try {
        const logits = (await model.forward({ inputIds: [PROMPT] })).logits.data as Float32Array;
        const m = compareLogits(reference, logits, 512);
        console.log(
          `[quantization] tiny-text ${JSON.stringify(options)}: max abs ${m.maxAbs.toExponential(2)}, mean abs ${m.meanAbs.toExponential(2)}, ` +
            `max abs / logit range ${m.maxRel.toFixed(4)}, top-1 ${m.top1}/${m.positions}`,
        );
        expect(m.maxRel).toBeLessThan(maxRel);
        expect(m.top1 / m.positions).toBeGreaterThanOrEqual(minTop1);
        const { sequences } = await model.generate({
          inputIds: [PROMPT.slice(0, 5)],
          maxNewTokens: 6,
          doSample: false,
        });
        expect(sequences[0]!.length).toBeGreaterThan(5);
      } finally {
        await model.dispose();
      }
    },
  );

  it.each([
    { dtype: 'q4', quantization: { accuracyLevel: 0 } },
    { dtype: 'q4', quantization: { accuracyLevel: 0, blockSize: 128, symmetric: false } },
    { dtype: 'q8', quantization: { accuracyLevel: 0, blockSize: 64, symmetric: false } },
  ] as QuantizationOptions[])(
    'end to end: %j equals the fp32 graph over round-tripped weights',
    async (options) => {
      const model = await built(options);
      const simulated = await Gemma3ForCausalLM.fromPretrained(TINY, {
        cacheDir,
        progress: false,
        weightOps: createDequantizedWeightOps(options),
      });
      try {
        const a = (await model.forward({ inputIds: [PROMPT] })).logits.data as Float32Array;
        const b = (await simulated.forward({ inputIds: [PROMPT] })).logits.data as Float32Array;
        const m = compareLogits(b, a, 512);
        console.log(
          `[quantization] tiny-text ${JSON.stringify(options)} vs simulated: max abs ${m.maxAbs.toExponential(2)}`,
        );
        // Only float32 summation order differs (MatMulNBits at level 0 vs MatMul): measured below 1e-5 of
        // the spread; the quantization error itself is 4-36% (above), so any layout, packing, sharing or
        // padding mistake is far outside this bound.
        expect(m.maxRel).toBeLessThan(1e-3);
        expect(m.top1).toBe(m.positions);
      } finally {
        await model.dispose();
        await simulated.dispose();
      }
    },
  );

  it('MatMulInteger: a row gives the same logits alone and beside another (per-row activation scales)', async () => {
    const other = PROMPT.map((id, i) => (i === 0 ? id : (id * 7 + 3) % 512));
    const byKernel: Record<string, number> = {};
    for (const linearKernel of ['MatMulInteger', 'DynamicQuantizeMatMul'] as const) {
      const model = await built({ dtype: 'q8', linearKernel });
      try {
        const alone = (await model.forward({ inputIds: [PROMPT] })).logits.data as Float32Array;
        const batch = (await model.forward({ inputIds: [PROMPT, other] })).logits.data as Float32Array;
        byKernel[linearKernel] = compareLogits(alone, batch.subarray(0, alone.length), 512).maxAbs;
      } finally {
        await model.dispose();
      }
    }
    console.log(`[quantization] q8 row 0 alone vs in a batch of 2, max abs: ${JSON.stringify(byKernel)}`);
    // float32 summation order only (the attention's batched matmuls): far below int8 rounding
    expect(byKernel.MatMulInteger).toBeLessThan(1e-4);
    // the per-tensor kernel shares one activation scale across rows: the other row moves row 0
    expect(byKernel.DynamicQuantizeMatMul).toBeGreaterThan(1e-3);
  });

  it('holds the tied table once: sharing saves a whole quantized table in the file', async () => {
    const dataBytes = async (options: QuantizationOptions) => {
      const model = await built(options);
      const path = `${model.loaded.modelPath}.data`;
      await model.dispose();
      return (await stat(path)).size;
    };
    const shared = await dataBytes({ dtype: 'q4' });
    // A different block size for the embedding cannot share: the 512x64 table is stored a second time,
    // at b64: 512 * 64 * (0.5 + 4 / 64) = 18432 bytes (plus alignment padding).
    const separate = await dataBytes({ dtype: 'q4', modules: { embedding: { blockSize: 64 } } });
    expect(separate - shared).toBeGreaterThanOrEqual(18432);
    expect(separate - shared).toBeLessThan(18432 + 4096);
  });

  it('keeps quantized builds apart in the model cache', async () => {
    const a = createQuantizedWeightOps({ dtype: 'q4' }).cacheKey;
    const b = createQuantizedWeightOps({ dtype: 'q4', quantization: { blockSize: 128 } }).cacheKey;
    const c = createQuantizedWeightOps({ dtype: 'q8' }).cacheKey;
    const d = createQuantizedWeightOps({ dtype: 'q8', linearKernel: 'DynamicQuantizeMatMul' }).cacheKey;
    const e = createQuantizedWeightOps({ dtype: 'q8', linearKernel: 'MatMulInteger' }).cacheKey;
    expect(new Set([a, b, c, d, e, 'fp32']).size).toBe(6);
    expect(createQuantizedWeightOps({ dtype: 'fp32' }).cacheKey).toBe('fp32');
  });

  it('refuses unknown options with a typed error naming them', () => {
    expect(() => createQuantizedWeightOps({ dtype: 'q3' as 'q4' })).toThrow(QuantizationOptionsError);
    expect(() => createQuantizedWeightOps({ dtype: 'q4', quantization: { blockSize: 100 as 128 } })).toThrow(
      /quantization.blockSize/,
    );
    expect(() =>
      createQuantizedWeightOps({
        dtype: 'q4',
        modules: { vision: 'fp32' } as QuantizationOptions['modules'],
      }),
    ).toThrow(/modules.vision/);
    expect(() => createQuantizedWeightOps({ dtype: 'q4', linearKernel: 'DynamicQuantizeMatMul' })).toThrow(
      /linearKernel/,
    );
    expect(() => createQuantizedWeightOps({ dtype: 'fp32', quantization: { bits: 4 } })).toThrow(
      QuantizationOptionsError,
    );
  });
});
