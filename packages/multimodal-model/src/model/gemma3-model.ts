import type { Gemma3Config } from '@gemma3/config';
import type { ort } from '@gemma3/onnx';
import type { KvCache } from '@gemma3/text-model';
import type { PixelValues, VisionEncoder } from '../vision/vision-encoder.js';
import { type LoadedMultimodal, loadMultimodal, type MultimodalLoadOptions } from './load-multimodal.js';
import { type MultimodalForwardInputs, prepareMultimodalStep } from './multimodal-step.js';

export interface Gemma3ModelOutput {
  /** [B, T, Ht] hidden states after the final norm (an onnxruntime tensor: `.data`, `.dims`). */
  lastHiddenState: ort.Tensor;
  pastKeyValues: KvCache;
  /** [N, M, Ht] projected features of this call's images (the reference's `image_hidden_states`). */
  imageHiddenStates: Float32Array;
}

/** The reference's Gemma3Model: vision tower, projector and text decoder, without the LM head. */
export class Gemma3Model {
  private constructor(private readonly loaded: LoadedMultimodal) {}

  static async fromPretrained(dir: string, options: MultimodalLoadOptions = {}): Promise<Gemma3Model> {
    return new Gemma3Model(await loadMultimodal(dir, 'hidden', options));
  }

  get config(): Gemma3Config {
    return this.loaded.config;
  }

  get visionEncoder(): VisionEncoder {
    return this.loaded.encoder;
  }

  get details(): LoadedMultimodal['details'] {
    return this.loaded.details;
  }

  /** Projected image features [N, M, Ht] (SigLIP + projector), reusing cached embeddings. */
  getImageFeatures(pixelValues: PixelValues): Promise<Float32Array> {
    return this.loaded.encoder.imageFeatures(pixelValues);
  }

  async forward(inputs: MultimodalForwardInputs): Promise<Gemma3ModelOutput> {
    const { cache, step, imageFeatures } = await prepareMultimodalStep(
      this.loaded.config,
      this.loaded.encoder,
      inputs,
      'all',
    );
    const lastHiddenState = await this.loaded.runner.step(cache, step);
    return { lastHiddenState, pastKeyValues: cache, imageHiddenStates: imageFeatures };
  }

  async dispose(): Promise<void> {
    await this.loaded.runner.release();
    await this.loaded.encoder.release();
  }
}
