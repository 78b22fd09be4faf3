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
import {
  buildDecoderGraph,
  checkTextShapes,
  DECODER_GRAPH_VERSION,
  type DecoderOutputKind,
  DecoderRunner,
  textTensorNames,
} from '@gemma3/text-model';
import { openCheckpoint } from '@gemma3/weights';

export interface DecoderLoadOptions {
  cacheDir?: string;
  session?: SessionConfig;
  progress?: boolean;
}

export interface LoadedMultimodalDecoder {
  runner: DecoderRunner;
  modelPath: string;
  cacheHit: boolean;
  buildMs: number;
  sessionMs: number;
}

/**
 * The text model's decoder graph (built by @gemma3/text-model's `buildDecoderGraph`, with the
 * `inputs_embeds_override` inputs the image features go through), cached and opened like
 * @gemma3/text-model's `loadDecoder`. This wrapper only exists because `loadDecoder` reads config.json
 * itself, and @gemma3/config rejects `image_token_index == vocab_size` (valid in the reference).
 */
export async function loadMultimodalDecoder(
  dir: string,
  config: Gemma3Config,
  output: DecoderOutputKind,
  options: DecoderLoadOptions = {},
): Promise<LoadedMultimodalDecoder> {
  const text = config.text_config;
  const graph = { output, embedsOverride: true };
  const checkpoint = await openCheckpoint(dir);
  const started = performance.now();
  let built: { dir: string; hit: boolean };
  try {
    const names = textTensorNames(checkpoint);
    await checkTextShapes(checkpoint, text, names);
    const files = [
      join(dir, 'config.json'),
      ...new Set([names.embed, ...names.layers.map((l) => l.q)].map((n) => checkpoint.fileOf(n))),
    ];
    const key = cacheKey({
      kind: 'gemma3-text-decoder',
      version: DECODER_GRAPH_VERSION,
      files: await fileIdentities(files),
      graph,
      dtype: 'fp32',
    });
    built = await getOrBuild(
      options.cacheDir ?? defaultCacheRoot(),
      key,
      async (out) => {
        const g = buildDecoderGraph(text, names, checkpoint, graph);
        const total = g.initializers.reduce((sum, t) => sum + elementCount(t.dims) * 4, 0);
        const bar =
          (options.progress ?? process.stderr.isTTY === true)
            ? createProgressBar({ label: 'building gemma3 decoder', total })
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
  return {
    runner: new DecoderRunner(session, text, output, true),
    modelPath,
    cacheHit: built.hit,
    buildMs,
    sessionMs: performance.now() - sessionStart,
  };
}
