/**
 * Slow vs fast vs transformers.js on a 4000x3000 JPEG and a 1024x768 PNG (generated here), with and
 * without pan & scan, settings of the released gemma-3-4b-it (896x896).
 * Run: pnpm --filter @gemma3/image-processor bench
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { RawImage, Gemma3ImageProcessor as TransformersJsProcessor } from '@huggingface/transformers';
import sharp, { type Sharp } from 'sharp';
import { Gemma3ImageProcessor, Gemma3ImageProcessorFast } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'gemma3-image-bench-'));
const config = JSON.parse(
  readFileSync(new URL('../fixtures/preprocessor_config.json', import.meta.url), 'utf8'),
);

/** Photo-like content: a small random colour grid enlarged with a cubic kernel, plus fine grain. */
async function makeImage(width: number, height: number): Promise<Sharp> {
  const gw = Math.ceil(width / 100);
  const gh = Math.ceil(height / 100);
  const grid = Buffer.alloc(gw * gh * 3);
  let s = 12345;
  for (let i = 0; i < grid.length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    grid[i] = s >>> 24;
  }
  const smooth = await sharp(grid, { raw: { width: gw, height: gh, channels: 3 } })
    .resize(width, height, { fit: 'fill', kernel: 'cubic' })
    .raw()
    .toBuffer();
  for (let i = 0; i < smooth.length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    smooth[i] = Math.max(0, Math.min(255, smooth[i]! + ((s >>> 28) - 8)));
  }
  return sharp(smooth, { raw: { width, height, channels: 3 } });
}

const jpeg = join(dir, 'photo-4000x3000.jpg');
const png = join(dir, 'photo-1024x768.png');
await (await makeImage(4000, 3000)).jpeg({ quality: 90 }).toFile(jpeg);
await (await makeImage(1024, 768)).png().toFile(png);

const slow = new Gemma3ImageProcessor(config);
const fast = new Gemma3ImageProcessorFast(config);
// The reference torchvision backend's output, for the accuracy column (not timed): the fast processor
// with the exact TypeScript resize at every size (bit for bit equal to torchvision on every fixture).
const torchvisionExact = new Gemma3ImageProcessorFast(config, {
  exactResizeMaxPixels: Number.POSITIVE_INFINITY,
});
const tjs = new TransformersJsProcessor(config);

/**
 * Median time of each contender, run round-robin (one run of each per round) so that they share
 * whatever else the machine is doing; one warm-up round first.
 */
async function medians(runs: number, contenders: (() => Promise<unknown>)[]): Promise<number[]> {
  const times = contenders.map(() => [] as number[]);
  for (let round = -1; round < runs; round++) {
    for (const [i, fn] of contenders.entries()) {
      const t = performance.now();
      await fn();
      if (round >= 0) times[i]!.push(performance.now() - t);
    }
  }
  return times.map((list) => list.sort((a, b) => a - b)[list.length >> 1]!);
}

/** Max and mean abs difference in uint8 levels (1 level = 2/255 on normalized values). */
function levels(a: Float32Array, b: Float32Array): string {
  let max = 0;
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const e = Math.abs(a[i]! - b[i]!);
    sum += e;
    if (e > max) max = e;
  }
  const level = 2 / 255;
  return `${Math.round(max / level)} / ${(sum / a.length / level).toFixed(3)}`;
}

function meanAbs(a: Float32Array, b: Float32Array | ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - (b[i] as number));
  return sum / a.length;
}

console.log(
  `load average ${loadavg()
    .map((x) => x.toFixed(1))
    .join(
      ' ',
    )}; node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), sharp ${sharp.versions.sharp} / libvips ${sharp.versions.vips}`,
);
console.log(
  '| input | pan & scan | outputs | slow (ms) | fast (ms) | transformers.js (ms) | fast vs slow | fast mean abs err vs slow | transformers.js mean abs err vs slow | fast vs torchvision: max / mean (uint8 levels) |',
);
console.log('|---|---|---|---|---|---|---|---|---|---|');
for (const [label, path, runs] of [
  ['4000x3000 JPEG', jpeg, 7],
  ['1024x768 PNG', png, 11],
] as const) {
  for (const doPanAndScan of [false, true]) {
    const ref = await slow.preprocess(path, { doPanAndScan });
    const fastOut = await fast.preprocess(path, { doPanAndScan });
    const tvOut = await torchvisionExact.preprocess(path, { doPanAndScan });
    const contenders = [
      () => slow.preprocess(path, { doPanAndScan }),
      () => fast.preprocess(path, { doPanAndScan }),
    ];
    let tjsErr = 'n/a';
    if (!doPanAndScan) {
      const run = async () => tjs(await RawImage.read(path));
      const out = await run();
      tjsErr = meanAbs(ref.pixelValues.data, out.pixel_values.data as Float32Array).toFixed(4);
      contenders.push(run);
    }
    const [tSlow, tFast, tTjs] = (await medians(runs, contenders)) as [number, number, number | undefined];
    const tjsCell = tTjs === undefined ? 'n/a (no pan & scan)' : tTjs.toFixed(0);
    console.log(
      `| ${label} | ${doPanAndScan ? 'on' : 'off'} | ${ref.pixelValues.dims[0]} | ${tSlow.toFixed(0)} | ${tFast.toFixed(0)} | ${tjsCell} | ${(tSlow / tFast).toFixed(1)}x | ${meanAbs(ref.pixelValues.data, fastOut.pixelValues.data).toFixed(4)} | ${tjsErr} | ${levels(fastOut.pixelValues.data, tvOut.pixelValues.data)} |`,
    );
  }
}
rmSync(dir, { recursive: true, force: true });
