import { join } from 'node:path';
import type { Gemma3Config } from '@gemma3/config';
import {
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
      dtype: 'fp32',
    });
    built = await getOrBuild(
      options.cacheDir ?? defaultCacheRoot(),
      key,
      async (out) => {
        const g = buildVisionGraph(config, names, checkpoint, graph);
        const total = g.initializers.reduce((sum, t) => sum + elementCount(t.dims) * 4, 0); // all float32
        const bar =
          (options.progress ?? process.stderr.isTTY === true)
            ? createProgressBar({ label: 'building gemma3 vision encoder', total })
            : undefined;
        await saveModel(g, out, {
          metadata: { source: dir, graph: JSON.stringify(graph) },
          ...(bar ? { onProgress: (done: number) => bar.update(done) } : {}),
        });
        bar?.finish();
      },
      { source: dir, graph },
    );
  } finally {
    await checkpoint.close();
  }
  const buildMs = built.hit ? 0 : performance.now() - started;
  const sessionStart = performance.now();
  const modelPath = join(built.dir, 'model.onnx');
  const session = await OnnxSession.create(modelPath, options.session);
  const encoder = new VisionEncoder(session, config, new ImageEmbeddingCache(options.imageCacheSize ?? 32));
  return { encoder, modelPath, cacheHit: built.hit, buildMs, sessionMs: performance.now() - sessionStart };
}
