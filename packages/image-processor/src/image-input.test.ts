import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { ImageShapeMismatchError } from './errors/image-shape-mismatch-error.js';
import { ImageTooLargeError } from './errors/image-too-large-error.js';
import { InvalidImageInputError } from './errors/invalid-image-input-error.js';
import { Gemma3ImageProcessor } from './gemma3-image-processor.js';
import { Gemma3ImageProcessorFast } from './gemma3-image-processor-fast.js';
import { fixturePath } from './test-utils/fixtures.js';

const png = readFileSync(fixturePath('images/photo.png'));

function fakeFetch(body: Uint8Array, init: { status?: number; length?: number } = {}): typeof fetch {
  return (async () =>
    new Response(body, {
      status: init.status ?? 200,
      headers: init.length === undefined ? {} : { 'content-length': String(init.length) },
    })) as typeof fetch;
}

describe.each([
  ['slow', new Gemma3ImageProcessor({ size: { height: 16, width: 16 } })],
  ['fast', new Gemma3ImageProcessorFast({ size: { height: 16, width: 16 } })],
] as const)('%s processor inputs', (_, processor) => {
  test('http(s) URLs go through the injected fetch and give the same pixels as the file', async () => {
    const fromUrl = await processor.preprocess('https://example.test/photo.png', { fetch: fakeFetch(png) });
    const fromFile = await processor.preprocess(fixturePath('images/photo.png'));
    expect(fromUrl.pixelValues.data).toEqual(fromFile.pixelValues.data);
  });

  test('URL errors: HTTP status, declared and actual size over the byte limit', async () => {
    await expect(
      processor.preprocess('https://x.test/a.png', { fetch: fakeFetch(png, { status: 404 }) }),
    ).rejects.toBeInstanceOf(InvalidImageInputError);
    await expect(
      processor.preprocess('https://x.test/a.png', {
        fetch: fakeFetch(png, { length: 10_000_000 }),
        maxBytes: 1_000_000,
      }),
    ).rejects.toBeInstanceOf(ImageTooLargeError);
    await expect(
      processor.preprocess('https://x.test/a.png', { fetch: fakeFetch(png), maxBytes: 1000 }),
    ).rejects.toBeInstanceOf(ImageTooLargeError);
  });

  test('raw grey, grey+alpha and RGBA pixels are converted as PIL does (replicate, drop alpha)', async () => {
    const options = { doResize: false, doNormalize: false, doRescale: false };
    const grey = await processor.preprocess(
      { data: new Uint8Array([7, 9]), width: 2, height: 1, channels: 1 },
      options,
    );
    expect(Array.from(grey.pixelValues.data)).toEqual([7, 9, 7, 9, 7, 9]);
    const la = await processor.preprocess(
      { data: new Uint8Array([7, 0, 9, 255]), width: 2, height: 1, channels: 2 },
      options,
    );
    expect(Array.from(la.pixelValues.data)).toEqual([7, 9, 7, 9, 7, 9]);
    const rgba = await processor.preprocess(
      { data: new Uint8Array([1, 2, 3, 0, 4, 5, 6, 9]), width: 2, height: 1, channels: 4 },
      options,
    );
    expect(Array.from(rgba.pixelValues.data)).toEqual([1, 4, 2, 5, 3, 6]);
  });

  test('doResize false with images of different sizes is a typed error', async () => {
    const a = { data: new Uint8Array(12), width: 2, height: 2, channels: 3 as const };
    const b = { data: new Uint8Array(18), width: 3, height: 2, channels: 3 as const };
    await expect(processor.preprocess([a, b], { doResize: false })).rejects.toBeInstanceOf(
      ImageShapeMismatchError,
    );
  });

  test('an empty list gives an empty batch', async () => {
    const out = await processor.preprocess([]);
    expect(out.pixelValues.dims[0]).toBe(0);
    expect(out.numCrops).toEqual([]);
  });
});
