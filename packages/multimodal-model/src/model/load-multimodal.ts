import { type Gemma3Config, type GenerationConfig, loadGenerationConfig } from '@gemma3/config';
import type { SessionConfig } from '@gemma3/onnx';
import { type DecoderOutputKind, type DecoderRunner, loadDecoder, type WeightOps } from '@gemma3/text-model';
import type { VisionAttentionKind } from '../graph/vision-io.js';
import type { VisionWeightOps } from '../graph/vision-weight-ops.js';
import { loadVisionEncoder } from '../vision/load-vision-encoder.js';
import type { VisionEncoder } from '../vision/vision-encoder.js';
import { loadMultimodalConfig } from './load-multimodal-config.js';

export interface MultimodalLoadOptions {
  /** Folder of built models. Default: `$GEMMA3_CACHE_DIR`, `$XDG_CACHE_HOME/gemma3` or `~/.cache/gemma3`. */
  cacheDir?: string;
  /** onnxruntime CPU options of the decoder (and of the vision encoder unless `visionSession` is given). */
  session?: SessionConfig;
  /** onnxruntime CPU options of the vision encoder. */
  visionSession?: SessionConfig;
  /** Progress bars on stderr while building. Default: when stderr is a terminal. */
  progress?: boolean;
  /** Vision attention graph: `fused` (com.microsoft.MultiHeadAttention, default) or `ops`. */
  visionAttention?: VisionAttentionKind;
  /** Image embeddings kept for reuse across requests (LRU, keyed by the pixels' sha256). Default 32; 0 disables. */
  imageCacheSize?: number;
  /** Bytes of image features kept for reuse at most (a 4B image's are 256 x 2560 float32, 2.5 MiB). Default 64 MiB; 0 disables. */
  imageCacheBytes?: number;
  /**
   * How the text decoder's large matrices are built (default float32): e.g. `createQuantizedWeightOps({
   * dtype: 'q4' })` of @gemma3/quantization. When it carries a `vision` field (VisionWeightOps), that
   * builds the vision tower and projector unless `visionWeightOps` is given.
   */
  weightOps?: WeightOps & { readonly vision?: VisionWeightOps };
  /**
   * How the vision tower's and projector's matrices are built (default float32): e.g.
   * `createVisionWeightOps({ dtype: 'q4' })` of @gemma3/quantization. Its `cacheKey` keeps builds apart.
   */
  visionWeightOps?: VisionWeightOps;
  /**
   * The decoder's prompt graph (see @gemma3/text-model's `prefillWeightOps`): every prompt token but the
   * last runs there (image tokens included, unless an image ends the prompt).
   */
  prefillWeightOps?: WeightOps;
}

export interface LoadedMultimodal {
  config: Gemma3Config;
  generationConfig: GenerationConfig;
  runner: DecoderRunner;
  encoder: VisionEncoder;
  /** Built model files, whether each came from the cache, and timings (ms). */
  details: {
    decoderPath: string;
    visionPath: string;
    decoderCacheHit: boolean;
    visionCacheHit: boolean;
    buildMs: number;
    sessionMs: number;
  };
}

export async function loadMultimodal(
  dir: string,
  output: DecoderOutputKind,
  options: MultimodalLoadOptions = {},
): Promise<LoadedMultimodal> {
  const config = await loadMultimodalConfig(dir);
  const generationConfig = await loadGenerationConfig(dir, config);
  const visionWeightOps = options.visionWeightOps ?? options.weightOps?.vision;
  const vision = await loadVisionEncoder(dir, config, {
    ...(visionWeightOps === undefined ? {} : { weightOps: visionWeightOps }),
    ...(options.cacheDir === undefined ? {} : { cacheDir: options.cacheDir }),
    ...(options.progress === undefined ? {} : { progress: options.progress }),
    ...(options.visionAttention === undefined ? {} : { attention: options.visionAttention }),
    ...(options.imageCacheSize === undefined ? {} : { imageCacheSize: options.imageCacheSize }),
    ...(options.imageCacheBytes === undefined ? {} : { imageCacheBytes: options.imageCacheBytes }),
    ...((options.visionSession ?? options.session) === undefined
      ? {}
      : { session: (options.visionSession ?? options.session)! }),
  });
  // The text model's decoder graph, with the `inputs_embeds_override` inputs the image features go through.
  const decoder = await loadDecoder(
    dir,
    { output, embedsOverride: true },
    {
      config,
      ...(options.cacheDir === undefined ? {} : { cacheDir: options.cacheDir }),
      ...(options.progress === undefined ? {} : { progress: options.progress }),
      ...(options.session === undefined ? {} : { session: options.session }),
      ...(options.weightOps === undefined ? {} : { weightOps: options.weightOps }),
      ...(options.prefillWeightOps === undefined ? {} : { prefillWeightOps: options.prefillWeightOps }),
    },
  );
  return {
    config,
    generationConfig,
    runner: decoder.runner,
    encoder: vision.encoder,
    details: {
      decoderPath: decoder.modelPath,
      visionPath: vision.modelPath,
      decoderCacheHit: decoder.cacheHit,
      visionCacheHit: vision.cacheHit,
      buildMs: decoder.buildMs + vision.buildMs,
      sessionMs: decoder.sessionMs + vision.sessionMs,
    },
  };
}
