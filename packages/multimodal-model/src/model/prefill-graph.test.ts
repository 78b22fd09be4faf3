import { rm } from 'node:fs/promises';
import { FP32_WEIGHT_OPS, type WeightOps } from '@gemma3/text-model';
import type { SafetensorsFile } from '@gemma3/weights';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ForwardCase,
  forwardCases,
  loadManifest,
  openGolden,
  pixelValuesOf,
  TINY_VLM,
  tempCacheDir,
} from '../test-utils/fixtures.js';
import type { PixelValues } from '../vision/vision-encoder.js';
import { Gemma3ForConditionalGeneration } from './gemma3-for-conditional-generation.js';

/**
 * The text decoder with a prefill graph beside it (@gemma3/text-model's `prefillWeightOps`): prompts
 * run every token but the last there, image tokens included (their embeddings sliced with the step, the
 * bidirectional groups kept whole). Built from the float32 kernels under another cache key, so the split
 * is the only difference: greedy ids must still equal the reference's on every image case.
 */
const manifest = loadManifest();
const cases = forwardCases(manifest);
const cacheDir = tempCacheDir();
const PREFILL_OPS: WeightOps = { ...FP32_WEIGHT_OPS, cacheKey: 'fp32-prefill-test' };
let golden: SafetensorsFile;
let model: Gemma3ForConditionalGeneration;
let prefillRuns = 0;

const pixelsOf = (c: ForwardCase): Promise<PixelValues> => pixelValuesOf(golden, c);

beforeAll(async () => {
  golden = await openGolden();
  model = await Gemma3ForConditionalGeneration.fromPretrained(TINY_VLM, {
    cacheDir,
    progress: false,
    prefillWeightOps: PREFILL_OPS,
  });
  const session = (model as unknown as { loaded: { runner: { prefillSession: { run: () => unknown } } } })
    .loaded.runner.prefillSession;
  const run = session.run.bind(session);
  session.run = (...args: unknown[]) => {
    prefillRuns += 1;
    return (run as (...a: unknown[]) => unknown)(...args);
  };
});

afterAll(async () => {
  await model.dispose();
  await golden.close();
  await rm(cacheDir, { recursive: true, force: true });
});

describe('Gemma3ForConditionalGeneration with a prefill graph (tiny-vlm)', () => {
  for (const c of cases) {
    it(`${c.name}: the prompt runs on the prefill graph, greedy ids equal the reference's`, async () => {
      const before = prefillRuns;
      const result = await model.generate({
        inputIds: c.input_ids,
        attentionMask: c.attention_mask,
        tokenTypeIds: c.token_type_ids,
        pixelValues: await pixelsOf(c),
        maxNewTokens: c.greedy.max_new_tokens,
        doSample: false,
      });
      expect(prefillRuns - before).toBe(1);
      expect(result.sequences).toEqual(c.greedy.sequences);
    });
  }
});
