import { describe, expect, test } from 'vitest';
import { InvalidPreprocessorConfigError } from './errors/invalid-preprocessor-config-error.js';
import { DEFAULT_EXACT_RESIZE_MAX_PIXELS, Gemma3ImageProcessorFast } from './gemma3-image-processor-fast.js';
import { torchvisionBilinearResize } from './torchvision-bilinear-resize.js';

/** 300x40 RGB, 3-pixel black/white stripes: where libvips's edge handling differs most from torchvision. */
function stripes(): { width: number; height: number; channels: 3; data: Uint8Array } {
  const width = 300;
  const height = 40;
  const data = new Uint8Array(width * height * 3); // [H, W, 3]
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++)
      data.fill(Math.floor(x / 3) % 2 ? 255 : 0, (y * width + x) * 3, (y * width + x + 1) * 3);
  }
  return { width, height, channels: 3, data };
}

/** [H, W, 3] uint8 -> uint8 levels of the output planes, read back from the fast processor's [3, H, W]. */
function toLevels(data: Float32Array, width: number, height: number): Uint8Array {
  const plane = width * height;
  const out = new Uint8Array(plane * 3);
  // With the default settings (rescale 1/255, mean = std = 0.5) value v is (v / 255 - 0.5) / 0.5.
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < 3; c++) out[i * 3 + c] = Math.round(((data[c * plane + i]! + 1) * 255) / 2);
  }
  return out;
}

describe('Gemma3ImageProcessorFast: exact resize up to exactResizeMaxPixels, libvips above', () => {
  const image = stripes();
  const size = { height: 24, width: 96 };
  const expected = torchvisionBilinearResize(image, size.width, size.height).data;

  test('at the bound (300 x 40 = 12000 pixels): the exact TypeScript resize', async () => {
    const fast = new Gemma3ImageProcessorFast({}, { exactResizeMaxPixels: 12_000 });
    const out = await fast.preprocess(image, { size });
    expect(toLevels(out.pixelValues.data, size.width, size.height)).toEqual(expected);
  });

  test('one pixel under the image: libvips, which differs at the borders', async () => {
    const fast = new Gemma3ImageProcessorFast({}, { exactResizeMaxPixels: 11_999 });
    const out = await fast.preprocess(image, { size });
    const got = toLevels(out.pixelValues.data, size.width, size.height);
    let max = 0;
    for (let i = 0; i < got.length; i++) max = Math.max(max, Math.abs(got[i]! - expected[i]!));
    expect(max).toBeGreaterThan(2);
  });

  test('the default bound', () => {
    expect(new Gemma3ImageProcessorFast().exactResizeMaxPixels).toBe(DEFAULT_EXACT_RESIZE_MAX_PIXELS);
    expect(new Gemma3ImageProcessorFast({}, { exactResizeMaxPixels: Infinity }).exactResizeMaxPixels).toBe(
      Infinity,
    );
  });

  test.each([-1, Number.NaN])('refuses exactResizeMaxPixels %s, naming the option', (value) => {
    expect(() => new Gemma3ImageProcessorFast({}, { exactResizeMaxPixels: value })).toThrow(
      InvalidPreprocessorConfigError,
    );
    expect(() => new Gemma3ImageProcessorFast({}, { exactResizeMaxPixels: value })).toThrow(
      /exactResizeMaxPixels/,
    );
  });
});
