import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { Gemma3ImageProcessor } from './gemma3-image-processor.js';
import { Gemma3ImageProcessorFast } from './gemma3-image-processor-fast.js';
import { pilBilinearResize } from './pil-bilinear-resize.js';
import { torchvisionBilinearResize } from './torchvision-bilinear-resize.js';

const slow = new Gemma3ImageProcessor();
// Sizes below go up to 700x700 (490,000 pixels), all under DEFAULT_EXACT_RESIZE_MAX_PIXELS: the
// default fast processor takes the exact TypeScript resize; the libvips path is checked on its own.
const fast = new Gemma3ImageProcessorFast();
const fastLibvips = new Gemma3ImageProcessorFast({}, { exactResizeMaxPixels: 0 });
const LEVEL = 2 / 255;

function noise(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    out[i] = s >>> 24;
  }
  return out;
}

describe('processors on random sizes (fast-check)', () => {
  test('same shapes and crop counts, values in [-1, 1], fast close to slow', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 700 }),
        fc.integer({ min: 1, max: 700 }),
        fc.integer({ min: 1, max: 48 }),
        fc.integer({ min: 1, max: 48 }),
        fc.constantFrom<1 | 2 | 3 | 4>(1, 2, 3, 4),
        fc.boolean(),
        fc.integer(),
        async (width, height, outW, outH, channels, doPanAndScan, seed) => {
          const image = { data: noise(width * height * channels, seed), width, height, channels };
          const options = { size: { height: outH, width: outW }, doPanAndScan };
          const a = await slow.preprocess(image, options);
          const b = await fast.preprocess(image, options);
          const v = await fastLibvips.preprocess(image, options);
          expect(a.pixelValues.dims[1]).toBe(3);
          expect(a.pixelValues.dims.slice(2)).toEqual([outH, outW]);
          expect(b.pixelValues.dims).toEqual(a.pixelValues.dims);
          expect(v.pixelValues.dims).toEqual(a.pixelValues.dims);
          expect(b.numCrops).toEqual(a.numCrops);
          expect(v.numCrops).toEqual(a.numCrops);
          expect(a.pixelValues.dims[0]).toBe(1 + a.numCrops[0]!);
          let sumExact = 0;
          let maxExact = 0;
          let sumLibvips = 0;
          for (let i = 0; i < a.pixelValues.data.length; i++) {
            const x = a.pixelValues.data[i]!;
            expect(x >= -1 && x <= 1).toBe(true);
            const e = Math.abs(x - b.pixelValues.data[i]!);
            sumExact += e;
            maxExact = Math.max(maxExact, e);
            sumLibvips += Math.abs(x - v.pixelValues.data[i]!);
          }
          // PIL and torchvision run one algorithm with weights rounded to 22 vs 14 to 22 fractional
          // bits: each of the two passes can round one level apart, so at most 2 levels.
          expect(maxExact).toBeLessThanOrEqual(2 * LEVEL + 1e-6);
          expect(sumExact / a.pixelValues.data.length).toBeLessThan(0.5 * LEVEL);
          // White noise is the worst case for kernel differences (libvips's linear shrink vs PIL's
          // triangle): on a 3 px -> 1 px shrink they differ by ~8 levels (0.063). Misalignment bugs
          // measured earlier gave 15 to 38 levels on noise (0.12 to 0.3).
          const mean = sumLibvips / a.pixelValues.data.length;
          expect(mean).toBeLessThan(0.1);
          if (Math.min(width, height) >= 16 && Math.min(outW, outH) >= 8) expect(mean).toBeLessThan(0.03);
        },
      ),
      { numRuns: 40 },
    );
  }, 30_000);

  test('resizing a constant image keeps it constant (weights sum to one after rounding)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 400 }),
        fc.integer({ min: 1, max: 400 }),
        fc.integer({ min: 1, max: 300 }),
        fc.integer({ min: 1, max: 300 }),
        fc.integer({ min: 0, max: 255 }),
        fc.constantFrom(1, 3),
        (w, h, ow, oh, v, channels) => {
          const image = { width: w, height: h, channels, data: new Uint8Array(w * h * channels).fill(v) };
          for (const resize of [pilBilinearResize, torchvisionBilinearResize]) {
            const out = resize(image, ow, oh);
            expect(out.data.every((x) => x === v)).toBe(true);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
