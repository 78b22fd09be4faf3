import type { Gemma3Config } from '@gemma3/config';
import { type OnnxSession, tensor } from '@gemma3/onnx';
import { PixelValuesError } from '../errors/pixel-values-error.js';
import { VisionInputs, VisionOutputs } from '../graph/vision-io.js';
import { type ImageEmbeddingCache, pixelKey } from './image-embedding-cache.js';

/** Pixel values of N images: [N, C, S, S] float32, row-major. */
export interface PixelValues {
  data: Float32Array;
  dims: readonly number[];
}

export interface VisionOutput {
  /** [N, M, Ht] projected features, row-major. */
  imageFeatures: Float32Array;
  /** [N, P, Hv] SigLIP output after post_layernorm (only when asked for). */
  lastHiddenState?: Float32Array;
}

/** Runs the vision graph (SigLIP + projector) built from a checkpoint. */
export class VisionEncoder {
  /** Images actually run through the vision graph (cache hits excluded), for tests and metrics. */
  encodedImages = 0;

  constructor(
    readonly session: OnnxSession,
    readonly config: Gemma3Config,
    readonly cache: ImageEmbeddingCache,
  ) {}

  get tokensPerImage(): number {
    return this.config.mm_tokens_per_image;
  }

  /** Checks `[N, C, S, S]` against the config and that every value is finite; returns N. */
  checkPixels(pixels: PixelValues): number {
    const v = this.config.vision_config;
    const { dims, data } = pixels;
    const expected = [v.num_channels, v.image_size, v.image_size];
    if (dims.length !== 4 || dims.slice(1).some((n, i) => n !== expected[i])) {
      throw new PixelValuesError({
        dims,
        reason: `expected [N, ${expected.join(', ')}] (processed pixels, channels first)`,
      });
    }
    const count = dims[0]!;
    if (!Number.isInteger(count) || count < 0)
      throw new PixelValuesError({ dims, reason: 'N must be an integer >= 0' });
    if (!(data instanceof Float32Array))
      throw new PixelValuesError({ dims, reason: 'data must be a Float32Array' });
    if (data.length !== count * expected[0]! * expected[1]! * expected[2]!) {
      throw new PixelValuesError({
        dims,
        reason: `data has ${data.length} values, the shape needs ${count * expected[0]! * expected[1]! * expected[2]!}`,
      });
    }
    for (let i = 0; i < data.length; i++) {
      if (!Number.isFinite(data[i]!)) {
        throw new PixelValuesError({ dims, reason: `value ${data[i]} at flat index ${i} is not finite` });
      }
    }
    return count;
  }

  /** Runs every image through the graph (no cache). */
  async run(pixels: PixelValues, withHiddenState = false): Promise<VisionOutput> {
    const count = this.checkPixels(pixels);
    const ht = this.config.text_config.hidden_size;
    if (count === 0)
      return {
        imageFeatures: new Float32Array(0),
        ...(withHiddenState ? { lastHiddenState: new Float32Array(0) } : {}),
      };
    const outputs = withHiddenState
      ? [VisionOutputs.imageFeatures, VisionOutputs.lastHiddenState]
      : [VisionOutputs.imageFeatures];
    const out = await this.session.run(
      { [VisionInputs.pixelValues]: tensor.float32(pixels.data, pixels.dims) },
      outputs,
    );
    this.encodedImages += count;
    const imageFeatures = out[VisionOutputs.imageFeatures]!.data as Float32Array;
    if (imageFeatures.length !== count * this.tokensPerImage * ht) {
      throw new PixelValuesError({
        dims: pixels.dims,
        reason: `vision graph returned ${imageFeatures.length} feature values`,
      });
    }
    return withHiddenState
      ? { imageFeatures, lastHiddenState: out[VisionOutputs.lastHiddenState]!.data as Float32Array }
      : { imageFeatures };
  }

  /**
   * Features [N, M, Ht] of N images, each encoded at most once: images already in the cache (same
   * pixels, earlier request) are reused, the others run together in one batch and are cached.
   */
  async imageFeatures(pixels: PixelValues): Promise<Float32Array> {
    const count = this.checkPixels(pixels);
    const perImage = pixels.data.length / Math.max(count, 1);
    const perFeature = this.tokensPerImage * this.config.text_config.hidden_size;
    const result = new Float32Array(count * perFeature);
    const keys: string[] = [];
    const missing = new Map<string, number[]>(); // key -> indices of the images with it
    for (let i = 0; i < count; i++) {
      const image = pixels.data.subarray(i * perImage, (i + 1) * perImage);
      const key = pixelKey(image, pixels.dims.slice(1));
      keys.push(key);
      const cached = missing.has(key) ? undefined : this.cache.get(key);
      if (cached) result.set(cached, i * perFeature);
      else missing.set(key, [...(missing.get(key) ?? []), i]);
    }
    if (missing.size > 0) {
      const firsts = [...missing.values()].map((indices) => indices[0]!);
      const batch = new Float32Array(firsts.length * perImage);
      firsts.forEach((i, j) => {
        batch.set(pixels.data.subarray(i * perImage, (i + 1) * perImage), j * perImage);
      });
      const { imageFeatures } = await this.run({
        data: batch,
        dims: [firsts.length, ...pixels.dims.slice(1)],
      });
      [...missing.entries()].forEach(([key, indices], j) => {
        const features = imageFeatures.slice(j * perFeature, (j + 1) * perFeature);
        this.cache.set(key, features);
        for (const i of indices) result.set(features, i * perFeature);
      });
    }
    return result;
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
