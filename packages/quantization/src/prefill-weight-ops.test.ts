import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readFeedsFromData } from '@gemma3/onnx';
import { Gemma3ForCausalLM } from '@gemma3/text-model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrefillWeightOps } from './prefill-weight-ops.js';
import { createQuantizedWeightOps, EMBEDDING_TABLE_INPUTS } from './quantized-weight-ops.js';
import { compareLogits } from './report/compare.js';

const TINY = resolve(import.meta.dirname, '../../../fixtures/checkpoints/tiny-text');
// 24 tokens (3x tiny-text's sliding window of 8) drawn from its 512-token vocabulary.
const PROMPT = [2, ...Array.from({ length: 23 }, (_, i) => (i * 37 + 11) % 512)];

let cacheDir: string;
let fp32: Gemma3ForCausalLM;
beforeAll(async () => {
  cacheDir = await mkdtemp(join(tmpdir(), 'gemma3-prefill-ops-'));
  fp32 = await Gemma3ForCausalLM.fromPretrained(TINY, { cacheDir, progress: false });
});
afterAll(async () => {
  await fp32?.dispose();
  await rm(cacheDir, { recursive: true, force: true });
});

async function lastLogits(model: Gemma3ForCausalLM): Promise<Float32Array> {
  return new Float32Array(
    (await model.forward({ inputIds: [PROMPT], logits: 'last' })).logits.data as Float32Array,
  );
}

describe('createPrefillWeightOps', () => {
  it('int8 DynamicQuantizeMatMul layers for MatMulNBits builds; nothing for float32 or DQMM builds', () => {
    const q4 = createQuantizedWeightOps({ dtype: 'q4' });
    const prefill = createPrefillWeightOps(q4)!;
    expect(prefill.resolved.linearKernel).toBe('DynamicQuantizeMatMul');
    expect(prefill.resolved.linear?.bits).toBe(8);
    expect(prefill.resolved.embedding).toEqual(q4.resolved.embedding);
    expect(prefill.cacheKey).not.toBe(q4.cacheKey);
    expect(createPrefillWeightOps(createQuantizedWeightOps({ dtype: 'fp32' }))).toBeUndefined();
    expect(
      createPrefillWeightOps(
        createQuantizedWeightOps({ dtype: 'q8', linearKernel: 'DynamicQuantizeMatMul' }),
      ),
    ).toBeUndefined();
  });

  it('q4 decode + int8 prefill: last-position logits between the q4 and fp32 graphs, generation identical either table layout', async () => {
    const reference = await lastLogits(fp32);
    const load = async (embeddingTable: 'initializer' | 'stored-input', prefill: boolean) => {
      const weightOps = createQuantizedWeightOps({ dtype: 'q4' }, { embeddingTable });
      return Gemma3ForCausalLM.fromPretrained(TINY, {
        cacheDir,
        progress: false,
        weightOps,
        ...(prefill ? { prefillWeightOps: createPrefillWeightOps(weightOps)! } : {}),
      });
    };
    const q4Only = await load('initializer', false);
    const own = await load('initializer', true);
    const shared = await load('stored-input', true);
    try {
      const q4 = compareLogits(reference, await lastLogits(q4Only), 512);
      const mixed = compareLogits(reference, await lastLogits(own), 512);
      // The prompt's keys/values come from int8 layers (closer to fp32 than int4), the last token from q4.
      expect(mixed.maxAbs).toBeGreaterThan(0);
      expect(mixed.maxAbs).toBeLessThan(q4.maxAbs);
      // The table fed from the decode graph's data file equals the prefill graph's own copy, bit for bit.
      expect(await lastLogits(shared)).toEqual(await lastLogits(own));
      const feeds = await readFeedsFromData(shared.loaded.modelPath);
      expect(Object.keys(feeds).sort()).toEqual(
        [EMBEDDING_TABLE_INPUTS.scales, EMBEDDING_TABLE_INPUTS.data].sort(),
      );
      expect(feeds[EMBEDDING_TABLE_INPUTS.data]!.dims).toEqual([512, 2, 16]); // [V, H / 32, 32 / 2]
      const options = { inputIds: [PROMPT], maxNewTokens: 6, minNewTokens: 6, doSample: false };
      expect((await shared.generate(options)).sequences).toEqual((await own.generate(options)).sequences);
    } finally {
      for (const m of [q4Only, own, shared]) await m.dispose();
    }
  });
});
