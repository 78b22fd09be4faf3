import { rm } from 'node:fs/promises';
import { ContinuousBatcher, PrefixCache } from '@gemma3/generation';
import type { SafetensorsFile } from '@gemma3/weights';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ForwardCase,
  forwardCases,
  loadManifest,
  maxAbsDiff,
  openGolden,
  pixelValuesOf,
  TINY_VLM,
  tempCacheDir,
} from '../test-utils/fixtures.js';
import type { PixelValues } from '../vision/vision-encoder.js';
import { Gemma3ForConditionalGeneration } from './gemma3-for-conditional-generation.js';

// Continuous batching and prefix reuse with images, on tiny-vlm (fp32): every request's greedy ids
// equal the plain generate() path; a second turn with the same image reuses its KV and skips the
// vision tower; a tampered image is never reused. Logits within 1e-4 (the parity tolerance).

const cases = forwardCases(loadManifest());
const byName = (name: string): ForwardCase => cases.find((c) => c.name === name)!;
const cacheDir = tempCacheDir();
let golden: SafetensorsFile;
let model: Gemma3ForConditionalGeneration;

const GREEDY = { doSample: false, maxNewTokens: 6, eosTokenId: [] as number[] };

beforeAll(async () => {
  golden = await openGolden();
  model = await Gemma3ForConditionalGeneration.fromPretrained(TINY_VLM, { cacheDir, progress: false });
});

afterAll(async () => {
  await model.dispose();
  await golden.close();
  await rm(cacheDir, { recursive: true, force: true });
});

const alone = async (inputIds: number[], pixelValues?: PixelValues) =>
  (await model.generate({ inputIds: [inputIds], ...(pixelValues ? { pixelValues } : {}), ...GREEDY }))
    .newTokens[0]!;

describe('continuous batching with images (tiny-vlm)', () => {
  it('mixed requests (two images, one image, text only) in one batch equal each alone; chunks keep images whole', async () => {
    const two = byName('two_images');
    const one = byName('one_image');
    const prompts = [
      { inputIds: two.input_ids[0]!, pixelValues: await pixelValuesOf(golden, two) },
      { inputIds: one.input_ids[0]!, pixelValues: await pixelValuesOf(golden, one) },
      { inputIds: [2, 100, 200, 300] },
      { inputIds: [2, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17] },
    ];
    const expected = await Promise.all(prompts.map((p) => alone(p.inputIds, p.pixelValues)));
    // chunks of 8 would end inside two_images' first image (tokens 5..8): the chunk runs to its end
    const batcher = new ContinuousBatcher(model, { maxRows: 4, prefillChunk: 8 });
    const results = await Promise.all(
      prompts.map((p) =>
        batcher.submit({
          inputIds: p.inputIds,
          ...(p.pixelValues ? { extra: { pixelValues: p.pixelValues } } : {}),
          ...GREEDY,
        }),
      ),
    );
    results.forEach((r, i) => {
      expect(r.newTokens[0], `request ${i}`).toEqual(expected[i]);
    });
    await batcher.close();
  });

  it('turn 2 with the same image reuses turn 1 (no vision encode) and equals a fresh run; a tampered image is not reused', async () => {
    const one = byName('one_image');
    const pixels = await pixelValuesOf(golden, one);
    const cache = new PrefixCache({ maxBytes: 16 << 20 });
    const batcher = new ContinuousBatcher(model, { maxRows: 2, prefixCache: cache });
    const turn1 = one.input_ids[0]!;
    const first = await batcher.submit({ inputIds: turn1, extra: { pixelValues: pixels }, ...GREEDY });
    const turn2 = [...turn1, ...first.newTokens[0]!, 106, 108, 300, 301];

    const encodedBefore = model.visionEncoder.encodedImages;
    model.visionEncoder.cache.clear(); // so only a reuse can avoid the tower
    const second = await batcher.submit({ inputIds: turn2, extra: { pixelValues: pixels }, ...GREEDY });
    expect(model.visionEncoder.encodedImages).toBe(encodedBefore);
    expect(second.usage.cachedTokens).toBe(turn1.length + GREEDY.maxNewTokens - 1);
    expect(second.newTokens[0]).toEqual(await alone(turn2, pixels));

    // logits of the reused path against a fresh forward pass
    const match = cache.lookup(model.promptKeys(turn2, { pixelValues: pixels }), turn2.length - 1, (n) => n)!;
    const reused = await model.prefill(match.state, {
      inputIds: turn2,
      extra: { pixelValues: pixels },
      maxTokens: 1000,
    });
    const fresh = await model.forward({ inputIds: [turn2], pixelValues: pixels, logits: 'last' });
    expect(maxAbsDiff(reused.logits!, fresh.logits.data as Float32Array)).toBeLessThan(1e-4);

    // the same ids with other pixels: reuse stops before the image, the answer is the fresh one
    const tampered: PixelValues = { data: pixels.data.map((v) => -v), dims: pixels.dims };
    const imageStart = turn2.indexOf(model.config.image_token_index);
    const third = await batcher.submit({ inputIds: turn2, extra: { pixelValues: tampered }, ...GREEDY });
    expect(third.usage.cachedTokens).toBeLessThanOrEqual(imageStart);
    expect(third.newTokens[0]).toEqual(await alone(turn2, tampered));
    await batcher.close();
  });

  it('a prompt whose image count does not match its image tokens gets the one-shot error', async () => {
    const one = byName('one_image');
    const batcher = new ContinuousBatcher(model, { maxRows: 1 });
    await expect(batcher.submit({ inputIds: one.input_ids[0]!, ...GREEDY })).rejects.toMatchObject({
      code: 'multimodal-model/image-token-count',
    });
    await batcher.close();
  });
});
