import { join } from 'node:path';
import { type Gemma3TextConfig, loadModelConfig, type ModelConfig, textConfigOf } from '@gemma3/config';
import {
  cacheKey,
  createProgressBar,
  defaultCacheRoot,
  fileIdentities,
  getOrBuild,
  OnnxSession,
  type ort,
  type ProgressBar,
  readFeedsFromData,
  type SessionConfig,
  saveModel,
  tensor,
} from '@gemma3/onnx';
import { openCheckpoint } from '@gemma3/weights';
import { checkTextShapes, expectedTextShapes, textTensorNames } from '../checkpoint/text-weights.js';
import { buildDecoderGraph, DECODER_GRAPH_VERSION } from '../graph/build-decoder-graph.js';
import type { DecoderGraphOptions, DecoderOutputKind } from '../graph/decoder-io.js';
import type { WeightOps } from '../graph/weight-ops.js';
import { DecoderRunner } from './decoder-runner.js';

export interface LoadOptions {
  /** Folder of built models. Default: `$GEMMA3_CACHE_DIR`, `$XDG_CACHE_HOME/gemma3` or `~/.cache/gemma3`. */
  cacheDir?: string;
  /** onnxruntime CPU options (threads, spinning, arena, optimization level). */
  session?: SessionConfig;
  /** Progress bar on stderr while building. Default: when stderr is a terminal. */
  progress?: boolean;
  /**
   * The checkpoint's config, already parsed (either kind; the decoder uses its text part). Default:
   * `dir/config.json` read with @gemma3/config's `loadModelConfig`.
   */
  config?: ModelConfig;
  /**
   * How the large matrices are built (default `FP32_WEIGHT_OPS`): e.g. `createQuantizedWeightOps({
   * dtype: 'q4' })` of @gemma3/quantization. Its `cacheKey` keeps quantized builds apart in the cache.
   */
  weightOps?: WeightOps;
  /**
   * WeightOps of a second graph for prompts (steps of several tokens that need logits for the last
   * one only): it runs every token but the last and writes their keys/values into the same JS-owned
   * cache, then the main graph runs the last token. E.g. int8 `DynamicQuantizeMatMul`
   * (`createPrefillWeightOps` of @gemma3/quantization), which prefills several times faster than the
   * int4 `MatMulNBits` that decodes fastest. Default: none (one graph for everything).
   */
  prefillWeightOps?: WeightOps;
}

export interface LoadedDecoder extends BuiltDecoder {
  runner: DecoderRunner;
  /** Milliseconds spent creating the onnxruntime session(s) (loading and prepacking the weights). */
  sessionMs: number;
  /** The prefill graph, with `prefillWeightOps`. */
  prefill?: BuiltDecoder;
}

export interface BuiltDecoder {
  config: Gemma3TextConfig;
  modelConfig: ModelConfig;
  /** The built `model.onnx` (its weights in `model.onnx.data` beside it). */
  modelPath: string;
  cacheHit: boolean;
  /** Milliseconds spent checking and building (0 on a cache hit). */
  buildMs: number;
}

/**
 * Reads config.json, checks the checkpoint's tensors against it, and builds the decoder graph into the
 * model cache unless it is there already. Tensors are read, converted to float32, written and dropped
 * one at a time: peak memory is about the largest tensor (the embedding) in float32, not the model.
 */
export async function buildDecoderModel(
  dir: string,
  graph: DecoderGraphOptions,
  options: Omit<LoadOptions, 'session'> = {},
): Promise<BuiltDecoder> {
  const modelConfig = options.config ?? (await loadModelConfig(dir));
  const config = textConfigOf(modelConfig);
  const checkpoint = await openCheckpoint(dir);
  const started = performance.now();
  let built: { dir: string; hit: boolean };
  try {
    const names = textTensorNames(checkpoint);
    await checkTextShapes(checkpoint, config, names);
    const tensorFiles = new Set(
      [...expectedTextShapes(config, names).keys()].map((n) => checkpoint.fileOf(n)),
    );
    const files = [join(dir, 'config.json'), ...[...tensorFiles].sort()];
    const key = cacheKey({
      kind: 'gemma3-text-decoder',
      version: DECODER_GRAPH_VERSION,
      files: await fileIdentities(files),
      graph,
      dtype: options.weightOps?.cacheKey ?? 'fp32',
    });
    built = await getOrBuild(
      options.cacheDir ?? defaultCacheRoot(),
      key,
      async (out) => {
        const g = buildDecoderGraph(config, names, checkpoint, graph, options.weightOps);
        let bar: ProgressBar | undefined;
        await saveModel(g, out, {
          metadata: {
            source: dir,
            graph: JSON.stringify(graph),
            weights: options.weightOps?.cacheKey ?? 'fp32',
          },
          onProgress:
            (options.progress ?? process.stderr.isTTY === true)
              ? (done, total) => {
                  bar ??= createProgressBar({ label: 'building gemma3 decoder', total });
                  bar.update(done);
                }
              : undefined,
        });
        bar?.finish();
      },
      { source: dir, graph },
    );
  } finally {
    await checkpoint.close();
  }
  return {
    config,
    modelConfig,
    modelPath: join(built.dir, 'model.onnx'),
    cacheHit: built.hit,
    buildMs: built.hit ? 0 : performance.now() - started,
  };
}

/** `buildDecoderModel`, then an onnxruntime session over it. */
export async function loadDecoder(
  dir: string,
  graph: DecoderGraphOptions & { output: DecoderOutputKind },
  options: LoadOptions = {},
): Promise<LoadedDecoder> {
  const built = await buildDecoderModel(dir, graph, options);
  const prefill =
    options.prefillWeightOps === undefined
      ? undefined
      : await buildDecoderModel(
          dir,
          { ...graph, output: 'cache' },
          { ...options, config: built.modelConfig, weightOps: options.prefillWeightOps },
        );
  const sessionStart = performance.now();
  const session = await OnnxSession.create(built.modelPath, options.session);
  // The prefill session's threads must not spin after a prompt: they would compete for the cores
  // with the decode session's threads (two sessions, two thread pools).
  const prefillSession =
    prefill === undefined
      ? undefined
      : await OnnxSession.create(prefill.modelPath, { ...options.session, spinning: false });
  // Inputs fed from the main model's data file (a table both graphs read, held once here).
  const fixedFeeds: Record<string, ort.Tensor> = {};
  for (const [name, t] of Object.entries(await readFeedsFromData(built.modelPath))) {
    fixedFeeds[name] =
      t.type === 'float32' ? tensor.float32(asFloat32(t.bytes), t.dims) : tensor.uint8(t.bytes, t.dims);
  }
  return {
    ...built,
    cacheHit: built.cacheHit && (prefill?.cacheHit ?? true),
    buildMs: built.buildMs + (prefill?.buildMs ?? 0),
    ...(prefill ? { prefill } : {}),
    runner: new DecoderRunner(
      session,
      built.config,
      graph.output,
      graph.embedsOverride,
      prefillSession,
      fixedFeeds,
    ),
    sessionMs: performance.now() - sessionStart,
  };
}

/** The same bytes as float32 values (copied only when the buffer is not 4-byte aligned). */
function asFloat32(bytes: Uint8Array): Float32Array {
  if (bytes.byteOffset % 4 === 0)
    return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  return new Float32Array(bytes.slice().buffer);
}
