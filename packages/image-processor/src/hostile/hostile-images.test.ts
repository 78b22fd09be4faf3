/**
 * Hostile inputs (issue 10): every case gets a typed error or a defined result, never a crash or an
 * unbounded allocation. Each case runs through both processors.
 */
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { describe, expect, test } from 'vitest';
import { ImageDecodeError } from '../errors/image-decode-error.js';
import { ImageTooLargeError } from '../errors/image-too-large-error.js';
import { InvalidImageInputError } from '../errors/invalid-image-input-error.js';
import { UnsupportedImageError } from '../errors/unsupported-image-error.js';
import { Gemma3ImageProcessor } from '../gemma3-image-processor.js';
import { Gemma3ImageProcessorFast } from '../gemma3-image-processor-fast.js';
import type { ImageInput } from '../image-input.js';
import type { PreprocessOptions } from '../settings.js';
import { crc32 } from '../test-utils/crc32.js';
import { fixturePath } from '../test-utils/fixtures.js';

const processors = [
  new Gemma3ImageProcessor({ size: { height: 32, width: 32 } }),
  new Gemma3ImageProcessorFast({ size: { height: 32, width: 32 } }),
];
const photoPng = new Uint8Array(readFileSync(fixturePath('images/photo.png')));
const photoJpeg = new Uint8Array(readFileSync(fixturePath('images/photo.jpg')));

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  out.set(new TextEncoder().encode(type), 4);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** A valid PNG header announcing width x height, followed by a tiny (wrong) IDAT: a decompression bomb's header. */
function pngHeader(width: number, height: number): Uint8Array {
  const ihdr = new Uint8Array(13);
  const v = new DataView(ihdr.buffer);
  v.setUint32(0, width);
  v.setUint32(4, height);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const parts = [
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', new Uint8Array([0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01])),
    chunk('IEND', new Uint8Array(0)),
  ];
  return Uint8Array.from(parts.flatMap((p) => Array.from(p)));
}

type ErrorClass = abstract new (...args: never[]) => Error;
const cases: [string, () => ImageInput | Promise<ImageInput>, ErrorClass, PreprocessOptions?][] = [
  ['empty buffer', () => new Uint8Array(0), ImageDecodeError],
  [
    'random bytes',
    () => Uint8Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) & 255),
    UnsupportedImageError,
  ],
  ['truncated PNG (half the file)', () => photoPng.subarray(0, photoPng.length >> 1), ImageDecodeError],
  ['truncated JPEG (half the file)', () => photoJpeg.subarray(0, photoJpeg.length >> 1), ImageDecodeError],
  ['PNG header only', () => photoPng.subarray(0, 33), ImageDecodeError],
  [
    'corrupt PNG data (IDAT bytes flipped)',
    () => {
      const bad = photoPng.slice();
      for (let i = 200; i < 600; i++) bad[i] = bad[i]! ^ 0x5a;
      return bad;
    },
    ImageDecodeError,
  ],
  ['decompression bomb: PNG header 100000x100000', () => pngHeader(100_000, 100_000), ImageTooLargeError],
  ['bomb under sharp’s limit but over ours: 9000x9000', () => pngHeader(9000, 9000), ImageTooLargeError],
  ['zero-width PNG header', () => pngHeader(0, 10), ImageDecodeError],
  ['pixel limit lowered per call', () => photoPng, ImageTooLargeError, { maxPixels: 1000 }],
  ['byte limit lowered per call', () => photoPng, ImageTooLargeError, { maxBytes: 100 }],
  [
    'SVG (format refused)',
    () => new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>'),
    UnsupportedImageError,
  ],
  [
    'TIFF (format refused)',
    () =>
      sharp({ create: { width: 4, height: 4, channels: 3, background: 'red' } })
        .tiff()
        .toBuffer(),
    UnsupportedImageError,
  ],
  [
    'BMP (not recognised)',
    () =>
      new Uint8Array([
        0x42, 0x4d, 0x46, 0, 0, 0, 0, 0, 0, 0, 0x36, 0, 0, 0, 0x28, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 24,
        0,
      ]),
    UnsupportedImageError,
  ],
  ['JSON text', () => new TextEncoder().encode('{"not": "an image"}'), UnsupportedImageError],
  ['missing file', () => fixturePath('images/does-not-exist.png'), InvalidImageInputError],
  ['directory path', () => fixturePath('images'), InvalidImageInputError],
  ['data URI without base64', () => 'data:image/png,abc', InvalidImageInputError],
  ['data URI with bad base64', () => 'data:image/png;base64,@@@@', InvalidImageInputError],
  [
    'raw pixels, wrong length',
    () => ({ data: new Uint8Array(10), width: 2, height: 2, channels: 3 as const }),
    InvalidImageInputError,
  ],
  [
    'raw pixels, zero size',
    () => ({ data: new Uint8Array(0), width: 0, height: 4, channels: 3 as const }),
    InvalidImageInputError,
  ],
  [
    'raw pixels, 5 channels',
    () => ({ data: new Uint8Array(20), width: 2, height: 2, channels: 5 as never }),
    InvalidImageInputError,
  ],
  ['not an image at all (number)', () => 42 as never, InvalidImageInputError],
];

describe.each(processors.map((p) => [p.constructor.name, p] as const))(
  '%s on hostile input',
  (_, processor) => {
    test.each(cases)('%s', async (_name, make, errorClass, options) => {
      const input = await make();
      await expect(processor.preprocess(input, options)).rejects.toBeInstanceOf(errorClass);
    });

    test('the bomb is refused from the header, fast and without allocating its pixels', async () => {
      const before = process.memoryUsage().rss;
      const started = performance.now();
      const error = await processor.preprocess(pngHeader(60_000, 60_000)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ImageTooLargeError);
      expect((error as ImageTooLargeError).limitKind).toBe('pixels');
      expect((error as ImageTooLargeError).width).toBe(60_000);
      expect(performance.now() - started).toBeLessThan(1000);
      expect(process.memoryUsage().rss - before).toBeLessThan(200 * 1024 * 1024); // 3.6 billion pixels would be ~10 GB
    });

    test('animated GIF: the first frame is used', async () => {
      const animated = fixturePath('images/animated.gif');
      expect((await sharp(animated).metadata()).pages).toBe(2);
      const out = await processor.preprocess(animated);
      expect(out.pixelValues.dims).toEqual([1, 3, 32, 32]);
    });

    test('CMYK JPEG: converted with PIL’s formula (parity checked in parity.test.ts)', async () => {
      const out = await processor.preprocess(fixturePath('images/cmyk.jpg'));
      expect(out.pixelValues.dims).toEqual([1, 3, 32, 32]);
    });

    test('a data URI gives the same pixels as the file', async () => {
      const uri = `data:image/png;base64,${Buffer.from(photoPng).toString('base64')}`;
      const a = await processor.preprocess(uri);
      const b = await processor.preprocess(fixturePath('images/photo.png'));
      expect(a.pixelValues.data).toEqual(b.pixelValues.data);
    });

    test('errors name the offending image', async () => {
      const error = await processor.preprocess([photoPng, new Uint8Array(0)]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ImageDecodeError);
      expect((error as ImageDecodeError).source).toBe('images[1] (buffer)');
    });
  },
);
