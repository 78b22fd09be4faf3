import { rm } from 'node:fs/promises';
import type { SafetensorsFile } from '@gemma3/weights';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ForwardCase,
  forwardCases,
  loadManifest,
  maxAbsDiff,
  maxAbsDiffMasked,
  type NegativeControlCase,
  openGolden,
  pixelValuesOf,
  TINY_VLM,
  tempCacheDir,
} from '../test-utils/fixtures.js';
import type { PixelValues } from '../vision/vision-encoder.js';
import { Gemma3ForConditionalGeneration } from './gemma3-for-conditional-generation.js';

/**
 * Parity with the Hugging Face reference (transformers 5.18, float32, eager) on tiny-vlm. Tolerance
 * from the manifest: 1e-4 max abs on logits and image features (float32 vs float32 on the same weights;
 * the reference's own fp32-vs-fp64 error is 8.8e-6). Logits are compared where attention_mask == 1.
 */
const manifest = loadManifest();
const tol = manifest.tolerance.logits_max_abs;
const cases = forwardCases(manifest);
const control = manifest.cases.find((c): c is NegativeControlCase => c.kind === 'negative_control')!;
const cacheDir = tempCacheDir();
let golden: SafetensorsFile;
let model: Gemma3ForConditionalGeneration;
const measured: Record<string, string> = {};

const pixelsOf = (c: ForwardCase): Promise<PixelValues> => pixelValuesOf(golden, c);

beforeAll(async () => {
  golden = await openGolden();
  model = await Gemma3ForConditionalGeneration.fromPretrained(TINY_VLM, { cacheDir, progress: false });
});

afterAll(async () => {
  console.log('[parity] tiny-vlm', measured);
  await model.dispose();
  await golden.close();
  await rm(cacheDir, { recursive: true, force: true });
});

describe('Gemma3ForConditionalGeneration parity (tiny-vlm, fp32)', () => {
  for (const c of cases) {
    it(`${c.name}: logits and image features within ${tol}`, async () => {
      const out = await model.forward({
        inputIds: c.input_ids,
        attentionMask: c.attention_mask,
        positionIds: c.position_ids,
        tokenTypeIds: c.token_type_ids,
        pixelValues: await pixelsOf(c),
      });
      const expected = await golden.readFloat32(c.tensors.logits);
      expect(out.logits.dims).toEqual(golden.info(c.tensors.logits).shape);
      const err = maxAbsDiffMasked(
        out.logits.data as Float32Array,
        expected,
        c.attention_mask,
        model.vocabSize,
      );
      const featuresErr = maxAbsDiff(
        out.imageHiddenStates,
        await golden.readFloat32(c.tensors.image_features),
      );
      measured[`${c.name}.logits`] = err.toExponential(2);
      measured[`${c.name}.image_features`] = featuresErr.toExponential(2);
      expect(err).toBeLessThanOrEqual(tol);
      expect(featuresErr).toBeLessThanOrEqual(manifest.tolerance.image_features_max_abs);
    });

    it(`${c.name}: default position ids and token type ids give the same logits`, async () => {
      const out = await model.forward({
        inputIds: c.input_ids,
        attentionMask: c.attention_mask,
        pixelValues: await pixelsOf(c),
        logits: 'last',
      });
      const expected = await golden.readFloat32(c.tensors.logits);
      const [b, t, v] = golden.info(c.tensors.logits).shape as [number, number, number];
      const last = new Float32Array(b * v);
      for (let r = 0; r < b; r++) last.set(expected.subarray((r * t + t - 1) * v, (r * t + t) * v), r * v);
      expect(out.logits.dims).toEqual([b, 1, v]);
      expect(maxAbsDiff(out.logits.data as Float32Array, last)).toBeLessThanOrEqual(tol);
    });

    it(`${c.name}: greedy generation equals the reference's ${c.greedy.max_new_tokens} new ids`, async () => {
      const before = model.visionEncoder.encodedImages;
      model.visionEncoder.cache.clear();
      const result = await model.generate({
        inputIds: c.input_ids,
        attentionMask: c.attention_mask,
        tokenTypeIds: c.token_type_ids,
        pixelValues: await pixelsOf(c),
        maxNewTokens: c.greedy.max_new_tokens,
        doSample: false,
      });
      expect(result.sequences).toEqual(c.greedy.sequences);
      // The vision encoder ran once per distinct image of the request.
      expect(model.visionEncoder.encodedImages - before).toBe(c.num_images);
    });
  }
});

describe('static cache', () => {
  it('greedy generation with a preallocated cache equals the reference (batch, left-padded)', async () => {
    const c = cases.find((k) => k.name === 'batch')!;
    const result = await model.generate({
      inputIds: c.input_ids,
      attentionMask: c.attention_mask,
      pixelValues: await pixelsOf(c),
      maxNewTokens: c.greedy.max_new_tokens,
      doSample: false,
      cache: 'static',
    });
    expect(result.sequences).toEqual(c.greedy.sequences);
  });
});

describe('image embedding reuse', () => {
  it('a later request with the same image does not run the vision encoder again', async () => {
    const c = cases.find((k) => k.name === 'one_image')!;
    model.visionEncoder.cache.clear();
    const options = {
      inputIds: c.input_ids,
      pixelValues: await pixelsOf(c),
      maxNewTokens: 2,
      doSample: false,
    };
    const before = model.visionEncoder.encodedImages;
    const first = await model.generate(options);
    expect(model.visionEncoder.encodedImages - before).toBe(1);
    const second = await model.generate(options);
    expect(model.visionEncoder.encodedImages - before).toBe(1);
    expect(second.sequences).toEqual(first.sequences);
    expect(first.sequences[0]!.slice(0, -2)).toEqual(c.input_ids[0]);
  });
});

describe('bidirectional image attention (negative control)', () => {
  const base = cases.find((c) => c.name === control.same_inputs_as)!;

  it('matches the bidirectional golden and is far from the causal-only control', async () => {
    const out = await model.forward({
      inputIds: base.input_ids,
      attentionMask: base.attention_mask,
      pixelValues: await pixelsOf(base),
    });
    const logits = out.logits.data as Float32Array;
    const toGolden = maxAbsDiffMasked(
      logits,
      await golden.readFloat32(base.tensors.logits),
      base.attention_mask,
      model.vocabSize,
    );
    const toCausal = maxAbsDiffMasked(
      logits,
      await golden.readFloat32(control.tensors.logits),
      base.attention_mask,
      model.vocabSize,
    );
    measured['one_image.vs_causal_only_control'] = toCausal.toExponential(2);
    expect(toGolden).toBeLessThanOrEqual(tol);
    // The control differs from the bidirectional golden by ~3.84: dropping the image mask cannot pass.
    expect(toCausal).toBeGreaterThan(1000 * tol);
    expect(toCausal).toBeCloseTo(control.max_abs_logits_diff_vs_bidirectional, 3);
  });

  it('with tokenTypeIds: null reproduces the reference without token_type_ids (causal only)', async () => {
    const out = await model.forward({
      inputIds: base.input_ids,
      attentionMask: base.attention_mask,
      tokenTypeIds: null,
      pixelValues: await pixelsOf(base),
    });
    const err = maxAbsDiffMasked(
      out.logits.data as Float32Array,
      await golden.readFloat32(control.tensors.logits),
      base.attention_mask,
      model.vocabSize,
    );
    measured['one_image_causal_only.logits'] = err.toExponential(2);
    expect(err).toBeLessThanOrEqual(tol);
  });
});
