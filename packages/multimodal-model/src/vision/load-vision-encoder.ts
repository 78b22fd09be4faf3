import { join } from 'node:path';
import type { Gemma3Config } from '@gemma3/config';
import {
  bytesPerElement,
  cacheKey,
  createProgressBar,
  defaultCacheRoot,
  elementCount,
  fileIdentities,
  getOrBuild,
  OnnxSession,
  type SessionConfig,
  saveModel,
} from '@gemma3/onnx';
import { openCheckpoint } from '@gemma3/weights';
import { checkVisionShapes, visionTensorNames } from '../checkpoint/vision-weights.js';
import { buildVisionGraph, VISION_GRAPH_VERSION } from '../graph/build-vision-graph.js';
import type { VisionGraphOptions } from '../graph/vision-io.js';
import { FP32_VISION_WEIGHT_OPS, type VisionWeightOps, visionCacheKey } from '../graph/vision-weight-ops.js';
import { ImageEmbeddingCache } from './image-embedding-cache.js';
import { VisionEncoder } from './vision-encoder.js';

export interface VisionLoadOptions {
  /** Folder of built models (default: the @gemma3/onnx cache root). */
  cacheDir?: string;
  /** onnxruntime CPU options for the vision session. */
  session?: SessionConfig;
  /** Progress bar on stderr while building. Default: when stderr is a terminal. */
  progress?: boolean;
  /** Vision attention graph (default `fused`). */
  attention?: VisionGraphOptions['attention'];
  /** Images whose features are kept for reuse (LRU; default 32; 0 disables). */
  imageCacheSize?: number;
  /** Bytes of image features kept for reuse at most (LRU; default 64 MiB; 0 disables). */
  imageCacheBytes?: number;
  /**
   * How the vision tower's and projector's matrices are built (default float32), e.g.
   * `createVisionWeightOps({ dtype: 'q4' })` of @gemma3/quantization; its `cacheKey` keeps builds apart.
   */
  weightOps?: VisionWeightOps;
}

export interface LoadedVisionEncoder {
  encoder: VisionEncoder;
  modelPath: string;
  cacheHit: boolean;
  buildMs: number;
  sessionMs: number;
}

/**
 * Checks the checkpoint's vision and projector tensors against the config, builds the vision graph
 * into the model cache unless it is there (streaming: one tensor at a time), and opens its session.
 */
export async function loadVisionEncoder(
  dir: string,
  config: Gemma3Config,
  options: VisionLoadOptions = {},
): Promise<LoadedVisionEncoder> {
  const graph: VisionGraphOptions = { attention: options.attention ?? 'fused' };
  const ops = options.weightOps ?? FP32_VISION_WEIGHT_OPS;
  const weightsKey = visionCacheKey(ops);
  const checkpoint = await openCheckpoint(dir);
  const started = performance.now();
  let built: { dir: string; hit: boolean };
  try {
    const names = visionTensorNames(checkpoint);
    await checkVisionShapes(checkpoint, config, names);
    const files = [
      join(dir, 'config.json'),
      ...new Set(
        [names.patchWeight, names.inputProjection, ...names.layers.map((l) => l.fc1.weight)].map((n) =>
          checkpoint.fileOf(n),
        ),
      ),
    ];
    const key = cacheKey({
      kind: 'gemma3-vision-encoder',
      version: VISION_GRAPH_VERSION,
      files: await fileIdentities(files),
      graph,
      dtype: weightsKey === 'fp32' ? 'fp32' : weightsKey,
    });
    built = await getOrBuild(
      options.cacheDir ?? defaultCacheRoot(),
      key,
      async (out) => {
        const g = buildVisionGraph(config, names, checkpoint, graph, ops);
        const total = g.initializers.reduce(
          (sum, t) => sum + elementCount(t.dims) * bytesPerElement(t.type),
          0,
        );
        const bar =
          (options.progress ?? process.stderr.isTTY === true)
            ? createProgressBar({ label: 'building gemma3 vision encoder', total })
            : undefined;
        await saveModel(g, out, {
          metadata: { source: dir, graph: JSON.stringify(graph), weights: weightsKey },
          ...(bar ? { onProgress: (done: number) => bar.update(done) } : {}),
        });
        bar?.finish();
      },
      { source: dir, graph, weights: weightsKey },
    );
  } finally {
    await checkpoint.close();
  }
  const buildMs = built.hit ? 0 : performance.now() - started;
  const sessionStart = performance.now();
  const modelPath = join(built.dir, 'model.onnx');
  const session = await OnnxSession.create(modelPath, options.session);
  const cache = new ImageEmbeddingCache({
    ...(options.imageCacheSize === undefined ? {} : { maxEntries: options.imageCacheSize }),
    ...(options.imageCacheBytes === undefined ? {} : { maxBytes: options.imageCacheBytes }),
  });
  const encoder = new VisionEncoder(session, config, cache);
  return { encoder, modelPath, cacheHit: built.hit, buildMs, sessionMs: performance.now() - sessionStart };
}
