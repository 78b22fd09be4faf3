/**
 * Vision encoder + projector benchmark on the `4b` shape (SigLIP 896/14: 64 x 64 patches, hidden 1152,
 * 27 layers, 16 heads, intermediate 4304; projector to 2560, 256 tokens), fp32, random weights:
 * time per 896x896 image and peak RSS, ours (onnxruntime-node) and the reference (transformers, torch
 * CPU) on the same weights and pixels in the same run, as a ratio.
 *
 *   pnpm --filter @gemma3/multimodal-model bench [-- --warmup 1 --runs 2 --threads 2 --attention fused --ref-attn sdpa --json]
 *
 *   --layers N keeps only the first N encoder layers (a cut of the same shape, for quick comparisons).
 *
 * Writes only the vision part of `gemma3 create-random --preset 4b` (same seeded values, ~0.8 GB bf16)
 * and the built model (~1.7 GB fp32) into os.tmpdir(), deleted at the end.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { loadMultimodalConfig, loadVisionEncoder } from '../src/index.js';
import { writeVisionCheckpoint } from './write-vision-checkpoint.js';

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const option = (name: string, fallback: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : fallback;
};
const warmup = option('warmup', '1');
const runs = option('runs', '2');
const threads = option('threads', '2');
const attention = option('attention', 'fused');
const refAttn = option('ref-attn', 'sdpa');
const python = option('python', '/work/refvenv/bin/python');
const asJson = args.includes('--json');
const referenceFirst = args.includes('--reference-first');
/** `tiny-vlm` runs the whole pipeline in seconds (a smoke test of the bench itself). */
const preset = option('preset', '4b') as '4b' | 'tiny-vlm';
/** Only the first N encoder layers (default: all), e.g. to compare attention kinds quickly. */
const layers = args.includes('--layers') ? Number(option('layers', '0')) : undefined;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const gb = (bytes: number) => `${(bytes / 1e9).toFixed(2)} GB`;
const log = (line: string) => {
  if (!asJson) console.log(line);
};

const dir = await mkdtemp(join(tmpdir(), 'gemma3-vision-bench-'));
try {
  let t = performance.now();
  const bytes = await writeVisionCheckpoint(dir, preset, 0, layers);
  log(
    `wrote vision + projector of the 4b preset: ${gb(bytes)} bf16 in ${((performance.now() - t) / 1000).toFixed(1)} s`,
  );
  const config = await loadMultimodalConfig(dir);
  const size = config.vision_config.image_size;
  // Processed pixels in [-1, 1], seeded (xorshift), the same file for both sides.
  const pixels = new Float32Array(3 * size * size);
  let s = 0x9e3779b9;
  for (let i = 0; i < pixels.length; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    pixels[i] = ((s >>> 0) / 0xffffffff) * 2 - 1;
  }
  const pixelsPath = join(dir, 'pixels.bin');
  await writeFile(pixelsPath, new Uint8Array(pixels.buffer));
  const cacheDir = join(dir, 'cache');

  t = performance.now();
  const built = await loadVisionEncoder(dir, config, {
    cacheDir,
    progress: !asJson,
    attention: attention as 'fused',
  });
  await built.encoder.release();
  const buildMs = performance.now() - t;
  log(`built the vision graph (${attention} attention) in ${(buildMs / 1000).toFixed(1)} s`);

  const featuresPath = join(dir, 'ours.bin');
  const referencePath = join(dir, 'reference.bin');
  const runOurs = async () => {
    const args = [
      join(here, 'vision-run.ts'),
      dir,
      cacheDir,
      pixelsPath,
      warmup,
      runs,
      threads,
      featuresPath,
      attention,
    ];
    const { stdout } = await run(
      process.execPath,
      ['--conditions=@gemma3/source', '--import', 'tsx', ...args],
      {
        maxBuffer: 1 << 20,
      },
    );
    const out = JSON.parse(stdout.trim()) as { loadMs: number; perImageMs: number[]; maxRssBytes: number };
    log(`ours: ${out.perImageMs.map((ms) => (ms / 1000).toFixed(2)).join(', ')} s per image`);
    return out;
  };
  const runReference = async () => {
    const args = [
      join(here, 'vision_reference.py'),
      dir,
      pixelsPath,
      warmup,
      runs,
      threads,
      referencePath,
      refAttn,
    ];
    const { stdout } = await run(python, args, { maxBuffer: 1 << 20 });
    const out = JSON.parse(stdout.trim()) as { perImageMs: number[]; maxRssBytes: number; torch: string };
    log(`reference: ${out.perImageMs.map((ms) => (ms / 1000).toFixed(2)).join(', ')} s per image`);
    return out;
  };
  // The two sides run one after the other (never together: memory); `--reference-first` swaps the order.
  let ours: Awaited<ReturnType<typeof runOurs>>;
  let reference: Awaited<ReturnType<typeof runReference>>;
  if (referenceFirst) {
    reference = await runReference();
    ours = await runOurs();
  } else {
    ours = await runOurs();
    reference = await runReference();
  }
  const oursFeatures = new Float32Array(new Uint8Array(await readFile(featuresPath)).buffer); // aligned copy
  const referenceFeatures = new Float32Array(new Uint8Array(await readFile(referencePath)).buffer);
  let maxAbsFeatureDiff = 0;
  let maxAbsFeature = 0;
  for (let i = 0; i < referenceFeatures.length; i++) {
    maxAbsFeatureDiff = Math.max(maxAbsFeatureDiff, Math.abs(oursFeatures[i]! - referenceFeatures[i]!));
    maxAbsFeature = Math.max(maxAbsFeature, Math.abs(referenceFeatures[i]!));
  }
  if (oursFeatures.length !== referenceFeatures.length) throw new Error('feature lengths differ');

  const result = {
    preset,
    shape: `SigLIP ${size}/${config.vision_config.patch_size}, ${config.vision_config.num_hidden_layers} layers, hidden ${config.vision_config.hidden_size} + projector (${config.mm_tokens_per_image} x ${config.text_config.hidden_size}), fp32`,
    threads: Number(threads),
    warmup: Number(warmup),
    runs: Number(runs),
    ours: {
      attention,
      perImageMs: median(ours.perImageMs),
      allMs: ours.perImageMs,
      peakRssBytes: ours.maxRssBytes,
      sessionLoadMs: ours.loadMs,
      buildMs,
    },
    reference: {
      impl: `transformers SiglipVisionModel + Gemma3MultiModalProjector, torch ${reference.torch} CPU, attn ${refAttn}`,
      perImageMs: median(reference.perImageMs),
      allMs: reference.perImageMs,
      peakRssBytes: reference.maxRssBytes,
    },
    speedRatio: median(reference.perImageMs) / median(ours.perImageMs),
    rssRatio: ours.maxRssBytes / reference.maxRssBytes,
    order: referenceFirst ? 'reference first' : 'ours first',
    maxAbsFeatureDiff,
    maxAbsFeature,
  };
  if (asJson) console.log(JSON.stringify(result, null, 2));
  else {
    console.log('\n| | time per image (median) | peak RSS |');
    console.log('|---|---|---|');
    console.log(
      `| ours (onnxruntime-node, ${attention}) | ${(result.ours.perImageMs / 1000).toFixed(2)} s | ${gb(result.ours.peakRssBytes)} |`,
    );
    console.log(
      `| reference (torch ${reference.torch}, ${refAttn}) | ${(result.reference.perImageMs / 1000).toFixed(2)} s | ${gb(result.reference.peakRssBytes)} |`,
    );
    console.log(
      `| ratio | ${result.speedRatio.toFixed(2)}x faster | ${result.rssRatio.toFixed(2)}x the reference's |`,
    );
    console.log(
      `\nimage features: max abs difference ours vs reference ${result.maxAbsFeatureDiff.toExponential(2)} (largest |feature| ${result.maxAbsFeature.toFixed(2)})`,
    );
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
