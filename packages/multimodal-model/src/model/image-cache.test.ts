import { rm } from 'node:fs/promises';
import type { SafetensorsFile } from '@gemma3/weights';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  type ForwardCase,
  forwardCases,
  loadManifest,
  openGolden,
  pixelValuesOf,
  TINY_VLM,
  tempCacheDir,
} from '../test-utils/fixtures.js';
import { Gemma3ForConditionalGeneration } from './gemma3-for-conditional-generation.js';

/**
 * The image feature cache across requests (a later chat turn with the same image) on tiny-vlm: the
 * vision graph does not run again, and what the model answers is exactly what it answers uncached.
 */
const cases = forwardCases(loadManifest());
const one = cases.find((c) => c.name === 'one_image')!;
const two = cases.find((c) => c.name === 'two_images')!;
const cacheDir = tempCacheDir();
let golden: SafetensorsFile;
let model: Gemma3ForConditionalGeneration;
/** Float32 bytes of one image's projected features [M, Ht]. */
let imageBytes: number;

beforeAll(async () => {
  golden = await openGolden();
  model = await Gemma3ForConditionalGeneration.fromPretrained(TINY_VLM, { cacheDir, progress: false });
  imageBytes = model.config.mm_tokens_per_image * model.config.text_config.hidden_size * 4;
});

afterAll(async () => {
  vi.restoreAllMocks();
  await model?.dispose();
  await golden?.close();
  await rm(cacheDir, { recursive: true, force: true });
});

/** Counts runs of the vision graph's onnxruntime session (the decoder has its own session). */
function countVisionRuns(target: Gemma3ForConditionalGeneration): { calls: () => number } {
  const spy = vi.spyOn(target.visionEncoder.session, 'run');
  const start = spy.mock.calls.length;
  return { calls: () => spy.mock.calls.length - start };
}

const greedy = async (target: Gemma3ForConditionalGeneration, c: ForwardCase) =>
  target.generate({
    inputIds: c.input_ids,
    attentionMask: c.attention_mask,
    pixelValues: await pixelValuesOf(golden, c),
    maxNewTokens: c.greedy.max_new_tokens,
    doSample: false,
  });

describe('image features reused across requests (tiny-vlm, fp32)', () => {
  it('a second generation with the same image does not run the vision graph, and answers the same', async () => {
    model.visionEncoder.cache.clear();
    const stats = model.imageCacheStats();
    const vision = countVisionRuns(model);
    const uncached = await greedy(model, one);
    expect(vision.calls()).toBe(1);
    const cached = await greedy(model, one);
    expect(vision.calls()).toBe(1); // no second run of the vision graph
    expect(cached.sequences).toEqual(uncached.sequences);
    expect(cached.sequences).toEqual(one.greedy.sequences); // and both are the reference's
    const after = model.imageCacheStats();
    expect(after.misses - stats.misses).toBe(1);
    expect(after.hits - stats.hits).toBe(1);
    expect(after.bytes).toBe(imageBytes);
  });

  it('logits from cached features equal the uncached ones exactly', async () => {
    const inputs = async () => ({
      inputIds: two.input_ids,
      attentionMask: two.attention_mask,
      pixelValues: await pixelValuesOf(golden, two),
    });
    model.visionEncoder.cache.clear();
    const vision = countVisionRuns(model);
    const uncached = await model.forward(await inputs());
    const cached = await model.forward(await inputs());
    expect(vision.calls()).toBe(1);
    expect(cached.imageHiddenStates).toEqual(uncached.imageHiddenStates);
    expect(cached.logits.dims).toEqual(uncached.logits.dims);
    expect(cached.logits.data).toEqual(uncached.logits.data);
  });

  it('imageCacheBytes bounds the cache: below one image nothing is kept and every request encodes again', async () => {
    const small = await Gemma3ForConditionalGeneration.fromPretrained(TINY_VLM, {
      cacheDir,
      progress: false,
      imageCacheBytes: imageBytes - 1,
    });
    try {
      expect(small.imageCacheStats().maxBytes).toBe(imageBytes - 1);
      const vision = countVisionRuns(small);
      const first = await greedy(small, one);
      const second = await greedy(small, one);
      expect(vision.calls()).toBe(2);
      expect(second.sequences).toEqual(first.sequences);
      expect(small.imageCacheStats()).toMatchObject({ entries: 0, bytes: 0, hits: 0, misses: 2 });
    } finally {
      await small.dispose();
    }
  });

  it('one image of room: the second image evicts the first (counted), answers unchanged', async () => {
    const tight = await Gemma3ForConditionalGeneration.fromPretrained(TINY_VLM, {
      cacheDir,
      progress: false,
      imageCacheBytes: imageBytes,
      imageCacheSize: 8,
    });
    try {
      const vision = countVisionRuns(tight);
      await greedy(tight, one); // image A: miss, kept
      const twoImages = await greedy(tight, two); // its two images: misses; each evicts the one before
      expect(twoImages.sequences).toEqual(two.greedy.sequences);
      const stats = tight.imageCacheStats();
      expect(stats).toMatchObject({ entries: 1, bytes: imageBytes, misses: 3 });
      expect(stats.evictions).toBe(2);
      const again = await greedy(tight, one);
      expect(again.sequences).toEqual(one.greedy.sequences);
      expect(vision.calls()).toBe(3);
    } finally {
      await tight.dispose();
    }
  });
});
