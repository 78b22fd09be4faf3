/**
 * Child process of tools/bench/multimodal.ts: one measurement per process, so its peak RSS is its own.
 * Prints one JSON object (the last line of stdout).
 *
 *   child.ts vision DIR CACHE VARIANT FEATURES_OUT WARMUP RUNS THREADS
 *   child.ts load   DIR CACHE VARIANT THREADS PREFILL
 *   child.ts run    DIR CACHE VARIANT THREADS RUNS NEW_TOKENS PREFILL
 *
 * PREFILL: `same` (prompts on the q4 decode graph) or `int8` (a second, int8 DynamicQuantizeMatMul
 * prefill graph: createPrefillWeightOps).
 */
import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  Gemma3ForConditionalGeneration,
  loadMultimodalConfig,
  loadVisionEncoder,
} from '../../../packages/multimodal-model/src/index.js';
import { Gemma3Processor } from '../../../packages/processor/src/index.js';
import {
  createPrefillWeightOps,
  createQuantizedWeightOps,
  createVisionWeightOps,
} from '../../../packages/quantization/src/index.js';
import { seededImage, seededPixels, visionOptionsOf } from './variants.js';

const [phase, dir, cacheDir, variant, ...rest] = process.argv.slice(2);
const rssBytes = () => process.resourceUsage().maxRSS * 1024;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const session = (threads: string) => ({ intraOpThreads: Number(threads), interOpThreads: 1 });
/**
 * The text decoder of the bench: q4, blocks of 128 (as the text bench), symmetric, int8 compute; with an
 * int8 prefill graph, the embedding table stored once and fed to both (as the pipeline builds it).
 */
const textOps = (prefill: string) =>
  createQuantizedWeightOps(
    { dtype: 'q4', quantization: { blockSize: 128 } },
    { embeddingTable: prefill === 'int8' ? 'stored-input' : 'initializer' },
  );

async function externalBytes(modelPath: string): Promise<number> {
  try {
    return (await stat(join(modelPath, '..', 'model.onnx.data'))).size;
  } catch {
    return 0;
  }
}

async function vision(): Promise<Record<string, unknown>> {
  const [featuresOut, warmup, runs, threads] = rest;
  const config = await loadMultimodalConfig(dir!);
  const size = config.vision_config.image_size;
  const weightOps = createVisionWeightOps(visionOptionsOf(variant!));
  const start = performance.now();
  const loaded = await loadVisionEncoder(dir!, config, {
    cacheDir: cacheDir!,
    progress: false,
    imageCacheSize: 0,
    weightOps,
    session: session(threads!),
  });
  const loadMs = performance.now() - start;
  const pixels = { data: seededPixels(size), dims: [1, 3, size, size] };
  const times: number[] = [];
  let features: Float32Array = new Float32Array(0);
  for (let i = 0; i < Number(warmup) + Number(runs); i++) {
    const t = performance.now();
    features = (await loaded.encoder.run(pixels)).imageFeatures;
    if (i >= Number(warmup)) times.push(performance.now() - t);
  }
  await writeFile(featuresOut!, new Uint8Array(features.buffer, features.byteOffset, features.byteLength));
  await loaded.encoder.release();
  return {
    variant,
    cacheKey: weightOps.cacheKey,
    cacheHit: loaded.cacheHit,
    buildMs: loaded.buildMs,
    loadMs,
    sessionMs: loaded.sessionMs,
    perImageMs: times,
    medianMs: median(times),
    externalBytes: await externalBytes(loaded.modelPath),
    peakRssBytes: rssBytes(),
  };
}

async function load(threads: string, prefill: string) {
  if (prefill !== 'same' && prefill !== 'int8')
    throw new Error(`prefill must be same or int8, got ${prefill}`);
  const weightOps = textOps(prefill);
  const prefillWeightOps = prefill === 'int8' ? createPrefillWeightOps(weightOps) : undefined;
  const start = performance.now();
  const model = await Gemma3ForConditionalGeneration.fromPretrained(dir!, {
    cacheDir: cacheDir!,
    progress: false,
    session: session(threads),
    weightOps,
    ...(prefillWeightOps === undefined ? {} : { prefillWeightOps }),
    visionWeightOps: createVisionWeightOps(visionOptionsOf(variant!)),
  });
  return { model, loadMs: performance.now() - start };
}

async function loadPhase(): Promise<Record<string, unknown>> {
  const { model, loadMs } = await load(rest[0]!, rest[1]!);
  const d = model.details;
  await model.dispose();
  return {
    variant,
    loadMs,
    decoderCacheHit: d.decoderCacheHit,
    visionCacheHit: d.visionCacheHit,
    buildMs: d.buildMs,
    sessionMs: d.sessionMs,
    decoderBytes: await externalBytes(d.decoderPath),
    visionBytes: await externalBytes(d.visionPath),
    peakRssBytes: rssBytes(),
  };
}

async function runPhase(): Promise<Record<string, unknown>> {
  const [threads, runsArg, newTokensArg, prefill] = rest;
  const runs = Number(runsArg);
  const newTokens = Number(newTokensArg);
  const { model, loadMs } = await load(threads!, prefill!);
  const processor = await Gemma3Processor.fromPretrained(dir!);
  const size = model.config.vision_config.image_size;
  const prompt = (seed: number) =>
    processor.applyChatTemplate(
      [
        {
          role: 'user',
          content: [
            { type: 'image', image: seededImage(size, seed) },
            { type: 'text', text: 'Describe this image in one short sentence, please.' },
          ],
        },
      ],
      { addGenerationPrompt: true },
    );
  const inputs = await prompt(1);
  const promptTokens = inputs.inputIds[0]!.length;
  const pixelValues = inputs.pixelValues!;
  // Warm-up: vision encode, prefill and a few decode steps (the image's features are now cached).
  await model.generate({ ...inputs, pixelValues, maxNewTokens: 4, doSample: false });

  const encodeMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await model.visionEncoder.run(pixelValues); // no embedding cache
    encodeMs.push(performance.now() - t);
  }
  // Prefill alone: the image's features come from the embedding cache (encoded above).
  const prefillMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await model.forward({ ...inputs, pixelValues, logits: 'last' });
    prefillMs.push(performance.now() - t);
  }
  // A new image (not cached): time to first token includes its vision encode and the prefill.
  const fresh = await prompt(2);
  let first = 0;
  let last = 0;
  let steps = 0;
  const start = performance.now();
  await model.generate({
    ...fresh,
    pixelValues: fresh.pixelValues!,
    maxNewTokens: newTokens,
    minNewTokens: newTokens,
    doSample: false,
    streamer: {
      onTokens(event) {
        const now = performance.now();
        if (event.step === 1) first = now;
        last = now;
        steps = event.step;
      },
    },
  });
  await model.dispose();
  const ttftMs = first - start;
  return {
    variant,
    loadMs,
    promptTokens,
    encodeMs,
    prefillMs,
    prefillTokensPerSecond: promptTokens / (median(prefillMs) / 1000),
    timeToFirstTokenMs: ttftMs,
    newTokens: steps,
    decodeTokensPerSecond: steps > 1 ? (steps - 1) / ((last - first) / 1000) : 0,
    peakRssBytes: rssBytes(),
  };
}

const result =
  phase === 'vision'
    ? await vision()
    : phase === 'load'
      ? await loadPhase()
      : phase === 'run'
        ? await runPhase()
        : (() => {
            throw new Error(`unknown phase ${phase}`);
          })();
console.log(JSON.stringify(result));
