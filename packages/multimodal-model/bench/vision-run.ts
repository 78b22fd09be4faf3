/**
 * Child process of the vision bench: loads the built vision encoder from the cache, encodes the
 * image `warmup + runs` times (no embedding cache), prints one JSON line. Separate from the parent so
 * its peak RSS is the encoder's alone.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { loadMultimodalConfig, loadVisionEncoder } from '../src/index.js';

const [dir, cacheDir, pixelsPath, warmupArg, runsArg, threadsArg, featuresOut, attention] =
  process.argv.slice(2);
const config = await loadMultimodalConfig(dir!);
const size = config.vision_config.image_size;
const raw = await readFile(pixelsPath!);
const pixels = new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
const loadStart = performance.now();
const { encoder, cacheHit } = await loadVisionEncoder(dir!, config, {
  cacheDir: cacheDir!,
  progress: false,
  imageCacheSize: 0,
  attention: attention === 'ops' ? 'ops' : 'fused',
  session: { intraOpThreads: Number(threadsArg), interOpThreads: 1 },
});
const loadMs = performance.now() - loadStart;
const times: number[] = [];
let features: Float32Array = new Float32Array(0);
for (let i = 0; i < Number(warmupArg) + Number(runsArg); i++) {
  const start = performance.now();
  features = (await encoder.run({ data: pixels, dims: [1, 3, size, size] })).imageFeatures;
  if (i >= Number(warmupArg)) times.push(performance.now() - start);
}
await writeFile(featuresOut!, new Uint8Array(features.buffer, features.byteOffset, features.byteLength));
await encoder.release();
console.log(
  JSON.stringify({ cacheHit, loadMs, perImageMs: times, maxRssBytes: process.resourceUsage().maxRSS * 1024 }),
);
