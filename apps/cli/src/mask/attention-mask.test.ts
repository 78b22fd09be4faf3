import { inflateSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { attentionMask, CAUSAL, IMAGE_BIDIRECTIONAL, imageGroups, MASKED } from './attention-mask.js';
import { maskPng } from './mask-image.js';
import { ASCII_STYLE, renderGrid } from './render-grid.js';

// Tokens: t0 t1 [i2 i3 i4] t5 [i6 i7] t8   (two images of 3 and 2 tokens)
const IS_IMAGE = [false, false, true, true, true, false, true, true, false];
const at = (mask: Uint8Array, q: number, k: number) => mask[q * IS_IMAGE.length + k];

describe('attention mask (the reference rule: window AND (causal OR same image))', () => {
  test('image groups are maximal runs of image tokens', () => {
    expect(imageGroups(IS_IMAGE)).toEqual([-1, -1, 0, 0, 0, -1, 1, 1, -1]);
  });

  test('global layer: causal everywhere, both ways inside one image, never into a later image', () => {
    const mask = attentionMask(IS_IMAGE, { slidingWindow: null });
    for (let q = 0; q < 9; q++) {
      for (let k = 0; k <= q; k++) expect(at(mask, q, k)).toBe(CAUSAL);
    }
    expect(at(mask, 2, 4)).toBe(IMAGE_BIDIRECTIONAL); // first image token sees the last of its image
    expect(at(mask, 3, 4)).toBe(IMAGE_BIDIRECTIONAL);
    expect(at(mask, 6, 7)).toBe(IMAGE_BIDIRECTIONAL);
    expect(at(mask, 4, 6)).toBe(MASKED); // not a later image
    expect(at(mask, 1, 2)).toBe(MASKED); // text before an image does not see it
    expect(at(mask, 5, 6)).toBe(MASKED);
    expect(at(mask, 7, 8)).toBe(MASKED);
  });

  test('sliding layer: q - k >= w masked; one-sided, so later tokens of the same image stay visible', () => {
    const mask = attentionMask(IS_IMAGE, { slidingWindow: 2 });
    expect(at(mask, 8, 7)).toBe(CAUSAL);
    expect(at(mask, 8, 6)).toBe(MASKED); // 8 - 6 = 2 >= w
    expect(at(mask, 4, 2)).toBe(MASKED); // same image, but 4 - 2 >= w: the window still applies backwards
    expect(at(mask, 2, 4)).toBe(IMAGE_BIDIRECTIONAL); // 2 - 4 < w: a later token of its image
    expect(at(mask, 3, 3)).toBe(CAUSAL);
  });

  test('the grid has a row per token and the right cell characters', () => {
    const mask = attentionMask([false, true, true], { slidingWindow: null });
    const grid = renderGrid(mask, ['<bos>', '<img>', '<img>'], ASCII_STYLE).split('\n');
    expect(grid[1]).toMatch(/^0 <bos> +#\.\.$/);
    expect(grid[2]).toMatch(/^1 <img> +##\+$/);
    expect(grid[3]).toMatch(/^2 <img> +###$/);
  });

  test('PNG: valid signature and size, pixels coloured by the mask', () => {
    const mask = attentionMask([false, true, true], { slidingWindow: null });
    const png = maskPng(mask, 3, 2);
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(png.readUInt32BE(16)).toBe(6);
    expect(png.readUInt32BE(20)).toBe(6);
    const idatLength = png.readUInt32BE(33);
    const raw = inflateSync(png.subarray(41, 41 + idatLength)); // [6 rows x (1 + 6 * 3)]
    const pixel = (x: number, y: number) => [...raw.subarray(y * 19 + 1 + x * 3, y * 19 + 4 + x * 3)];
    expect(pixel(0, 0)).toEqual([37, 99, 235]); // (0, 0) causal: blue
    expect(pixel(2, 0)).toEqual([243, 244, 246]); // (0, 1) masked: grey
    expect(pixel(4, 2)).toEqual([234, 88, 12]); // (1, 2) image both ways: orange
  });
});
