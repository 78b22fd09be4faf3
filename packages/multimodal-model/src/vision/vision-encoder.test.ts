import { rm } from 'node:fs/promises';
import type { Gemma3Config } from '@gemma3/config';
import type { SafetensorsFile } from '@gemma3/weights';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PixelValuesError } from '../errors/pixel-values-error.js';
import { loadMultimodalConfig } from '../model/load-multimodal-config.js';
import {
  forwardCases,
  loadManifest,
  maxAbsDiff,
  openGolden,
  TINY_VLM,
  TINY_VLM_CURRENT,
  tempCacheDir,
} from '../test-utils/fixtures.js';
import { loadVisionEncoder } from './load-vision-encoder.js';
import type { VisionEncoder } from './vision-encoder.js';

const manifest = loadManifest();
const cases = forwardCases(manifest);
const cacheDir = tempCacheDir();
let golden: SafetensorsFile;
let config: Gemma3Config;
const encoders: Record<string, VisionEncoder> = {};

beforeAll(async () => {
  golden = await openGolden();
  config = await loadMultimodalConfig(TINY_VLM);
  encoders.fused = (await loadVisionEncoder(TINY_VLM, config, { cacheDir, attention: 'fused' })).encoder;
  encoders.ops = (await loadVisionEncoder(TINY_VLM, config, { cacheDir, attention: 'ops' })).encoder;
  encoders.current = (await loadVisionEncoder(TINY_VLM_CURRENT, config, { cacheDir })).encoder;
});

afterAll(async () => {
  for (const e of Object.values(encoders)) await e.release();
  await golden.close();
  await rm(cacheDir, { recursive: true, force: true });
});

const errors: Record<string, number> = {};

describe('vision tower + projector against the reference (tiny-vlm, fp32)', () => {
  for (const attention of ['fused', 'ops', 'current'] as const) {
    for (const c of cases) {
      it(`${c.name} (${attention})`, async () => {
        const pixels = await golden.readFloat32(c.tensors.pixel_values);
        const info = golden.info(c.tensors.pixel_values);
        const out = await encoders[attention]!.run({ data: pixels, dims: info.shape }, true);
        const hidden = maxAbsDiff(
          out.lastHiddenState!,
          await golden.readFloat32(c.tensors.vision_last_hidden_state),
        );
        const features = maxAbsDiff(out.imageFeatures, await golden.readFloat32(c.tensors.image_features));
        errors[`${c.name}/${attention}`] = Math.max(hidden, features);
        expect(hidden).toBeLessThanOrEqual(manifest.tolerance.vision_last_hidden_state_max_abs);
        expect(features).toBeLessThanOrEqual(manifest.tolerance.image_features_max_abs);
      });
    }
  }
  it('reports the measured errors', () => {
    console.log('vision max abs errors', errors);
    expect(Object.keys(errors).length).toBe(cases.length * 3);
  });
});

describe('image embedding cache', () => {
  it('encodes each distinct image once and reuses it in a later request', async () => {
    const encoder = encoders.fused!;
    encoder.cache.clear();
    const c = cases.find((k) => k.name === 'two_images')!;
    const pixels = await golden.readFloat32(c.tensors.pixel_values);
    const dims = golden.info(c.tensors.pixel_values).shape;
    const before = encoder.encodedImages;
    const stats = encoder.cache.stats();
    const first = await encoder.imageFeatures({ data: pixels, dims });
    expect(encoder.encodedImages - before).toBe(2);
    const second = await encoder.imageFeatures({ data: pixels, dims });
    expect(encoder.encodedImages - before).toBe(2);
    const after = encoder.cache.stats();
    expect([after.misses - stats.misses, after.hits - stats.hits]).toEqual([2, 2]);
    expect(after.bytes).toBe(first.byteLength); // two images' features
    expect(second).toEqual(first);
    // The same image twice in one request is encoded once.
    const one = pixels.subarray(0, pixels.length / 2);
    encoder.cache.clear();
    const doubled = new Float32Array(pixels.length);
    doubled.set(one, 0);
    doubled.set(one, one.length);
    await encoder.imageFeatures({ data: doubled, dims });
    expect(encoder.encodedImages - before).toBe(3);
    expect(maxAbsDiff(first, await golden.readFloat32(c.tensors.image_features))).toBeLessThanOrEqual(1e-4);
  });
});

describe('pixel values checks', () => {
  it('rejects a wrong shape, a wrong length and a non-finite value', async () => {
    const encoder = encoders.fused!;
    await expect(
      encoder.run({ data: new Float32Array(3 * 28 * 28), dims: [1, 3, 28, 28] }),
    ).rejects.toBeInstanceOf(PixelValuesError);
    await expect(encoder.run({ data: new Float32Array(10), dims: [1, 3, 56, 56] })).rejects.toThrow(/values/);
    const bad = new Float32Array(3 * 56 * 56);
    bad[7] = Number.NaN;
    await expect(encoder.run({ data: bad, dims: [1, 3, 56, 56] })).rejects.toThrow(/flat index 7/);
  });
});
