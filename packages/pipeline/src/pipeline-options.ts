// Types only (erased): the `@gemma3/pipeline/options` entry loads this file alone, so command lines can
// check a dtype without loading onnxruntime.
import type { GenerationSettings, TokenStreamer } from '@gemma3/generation';
import type { ResolveModelOptions } from '@gemma3/hub';
import type { SessionConfig } from '@gemma3/onnx';
import type { LinearKernel, QuantizationSpec, VisionKernel } from '@gemma3/quantization';
import type { ImageFetchOptions, PipelineImage } from './load-image.js';
import type { BatchingOptions } from './pipeline-batcher.js';

/**
 * Weight precision: `fp32` (default; `float32` is an alias), `q8` (int8 blocks of 32) or `q4` (int4
 * blocks of 32) for the text decoder, built by @gemma3/quantization; the vision tower and projector of
 * multimodal models follow @gemma3/quantization's VISION_DEFAULTS for that dtype unless `modules` says.
 */
export type PipelineDtype = 'fp32' | 'float32' | 'q8' | 'q4';
export const SUPPORTED_DTYPES: readonly PipelineDtype[] = ['fp32', 'float32', 'q8', 'q4'];

/** Default bytes of KV state kept for prefix reuse (a 1B 1k-token conversation holds ~35 MB, a 4B one ~280 MB). */
export const DEFAULT_PREFIX_CACHE_BYTES = 512 * 1024 * 1024;

/** A module's own precision: a dtype, or a quantization spec (missing fields from `quantization`). */
export type ModuleDtype = 'fp32' | 'float32' | 'q8' | 'q4' | Partial<QuantizationSpec>;

/**
 * A vision module's precision: a dtype (`q8` / `q4`: MatMulNBits blocks of 32), or a spec that may
 * name the kernel (`{ kernel: 'DynamicQuantizeMatMul' }`: int8 per output channel).
 */
export type VisionModuleDtype = ModuleDtype | (Partial<QuantizationSpec> & { kernel?: VisionKernel });

/** How a model is found and loaded (shared by pipeline() and the Auto classes). */
export interface LoadModelOptions {
  /** @gemma3/hub options for model ids (revision, cache folder, token, offline, onProgress, fetch ...). */
  hub?: ResolveModelOptions;
  /** Folder of built ONNX graphs. Default `$GEMMA3_CACHE_DIR`, `$XDG_CACHE_HOME/gemma3` or `~/.cache/gemma3`. */
  cacheDir?: string;
  /** Progress bars on stderr (download, graph build). Default: when stderr is a terminal. */
  progress?: boolean;
  /** onnxruntime CPU options (threads, spinning, ...). */
  session?: SessionConfig;
  /**
   * Multimodal models: images whose projected features are kept for later requests (LRU by pixel hash;
   * default 32; 0 disables), and the bytes they may hold (default 64 MiB; a 4B image's features are
   * 256 x 2560 float32, 2.5 MiB). Its hits, misses and evictions: the model's `imageCacheStats()`.
   */
  imageCacheSize?: number;
  imageCacheBytes?: number;
  /** `fp32` (default, alias `float32`), `q8` or `q4`. Anything else is an InvalidPipelineInputError. */
  dtype?: PipelineDtype;
  /**
   * Overrides of the dtype's quantization defaults for every linear layer (and the embedding / LM head
   * unless `modules` says otherwise): `{ bits: 4 | 8, blockSize: 16..256, symmetric, accuracyLevel: 0..4 }`.
   */
  quantization?: Partial<QuantizationSpec>;
  /**
   * q8 only: the linear layers' kernel: `MatMulInteger` (default: int8 per output channel, activations
   * int8 per row, the LM head too: as fast as `DynamicQuantizeMatMul` on CPU, and a row's result never
   * depends on what runs beside it, so batches and reused prefixes stay exact), `DynamicQuantizeMatMul`
   * (int8, activations per tensor) or `MatMulNBits` (8-bit blocks; slow for batches of rows).
   */
  linearKernel?: LinearKernel;
  /**
   * How prompts are run with a quantized `MatMulNBits` build: `int8` (default) adds a second graph with
   * int8 `DynamicQuantizeMatMul` layers that runs every prompt token but the last (2-3x faster prefill
   * on CPU; ~0.7 GB more memory on the 1B), `same`: one graph for everything (least memory).
   */
  prefill?: 'int8' | 'same';
  /**
   * Per-module precision: `embedding` and `lmHead` (tied: one table when both are quantized alike) take a
   * dtype or a spec; `visionTower` (alias `vision`) and `projector` of multimodal models a dtype or a
   * spec with an optional `kernel`.
   */
  modules?: {
    embedding?: ModuleDtype;
    lmHead?: ModuleDtype;
    visionTower?: VisionModuleDtype;
    /** Alias of `visionTower`. */
    vision?: VisionModuleDtype;
    projector?: VisionModuleDtype;
  };
}

export interface PipelineOptions extends LoadModelOptions, BatchingOptions {
  /** `fast` (default): libvips through sharp; `slow`: the pure TypeScript resize matching PIL. */
  imageProcessor?: 'fast' | 'slow';
  /** Limits for images given by http(s) URL. */
  images?: ImageFetchOptions;
  /** Generation defaults for every call (a call's own options win; generation_config.json below both). */
  generation?: GenerationCallOptions;
}

/** A token as `onToken` sees it: its id and the text it completed ('' while a character is unfinished). */
export interface StreamedToken {
  id: number;
  text: string;
}

export interface GenerationCallOptions extends GenerationSettings {
  /** Sampling seed; the same seed gives the same tokens. Default random (returned as `seed`). */
  seed?: number;
  /** Stop when the generated text contains one of these (kept in the text). */
  stopStrings?: readonly string[];
  /** Stops generation; the call resolves with what it has (`finishReason: 'abort'`). */
  signal?: AbortSignal;
  /** Raw token events of @gemma3/generation. */
  streamer?: TokenStreamer;
  /** Each new token with the text it completes (special tokens give ''). */
  onToken?: (token: StreamedToken) => void;
  /** Each new piece of text (the concatenation is `text`). */
  onText?: (text: string) => void;
}

export interface ImageCallOptions {
  /** Images for a prompt string (`<start_of_image>` marks where each goes; prepended when the prompt has none). */
  images?: readonly PipelineImage[];
  /** Pan & scan crops for large non-square images (processor default: off). */
  panAndScan?: boolean;
}
