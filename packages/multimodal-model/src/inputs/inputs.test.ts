import { describe, expect, it } from 'vitest';
import { ImageTokenCountError } from '../errors/image-token-count-error.js';
import { imageGroups, tokenTypeIdsFromImageTokens } from './image-groups.js';
import { imageTokenPositions, scatterImageFeatures } from './scatter-image-features.js';

describe('imageGroups', () => {
  it('numbers each maximal run of ones per row, text gets 0', () => {
    // row 0: two images; row 1: padding, then one image
    const types = [0, 1, 1, 0, 1, 1, 0, 0, 0, 0, 1, 1];
    expect([...imageGroups(types, 2, 6)]).toEqual([0, 1, 1, 0, 2, 2, 0, 0, 0, 0, 1, 1]);
  });
  it('treats adjacent images without a separator as one run, as the reference does', () => {
    expect([...imageGroups([1, 1, 1, 1], 1, 4)]).toEqual([1, 1, 1, 1]);
  });
  it('derives token type ids from the image token', () => {
    expect(tokenTypeIdsFromImageTokens([2, 512, 512, 7], 512)).toEqual([0, 1, 1, 0]);
  });
});

describe('scatterImageFeatures', () => {
  it('places features in order across rows and marks their positions', () => {
    // B = 2, T = 3, H = 2; image tokens at flat 1, 2 (row 0) and 4 (row 1); N = 3 images of M = 1 token
    const positions = imageTokenPositions([0, 9, 9, 0, 9, 0], 9);
    expect(positions).toEqual([1, 2, 4]);
    const features = new Float32Array([1, 2, 3, 4, 5, 6]);
    const { embeds, mask } = scatterImageFeatures(positions, features, 3, 1, 6, 2);
    expect([...mask]).toEqual([0, 1, 1, 0, 1, 0]);
    expect([...embeds]).toEqual([0, 0, 1, 2, 3, 4, 0, 0, 5, 6, 0, 0]);
  });
  it('throws a typed error naming both counts', () => {
    expect(() => scatterImageFeatures([1, 2], new Float32Array(4), 1, 4, 6, 1)).toThrow(ImageTokenCountError);
    try {
      scatterImageFeatures([1, 2], new Float32Array(8), 2, 4, 6, 1);
    } catch (error) {
      expect((error as ImageTokenCountError).imageTokens).toBe(2);
      expect((error as ImageTokenCountError).images).toBe(2);
      expect((error as Error).message).toMatch(/2 image tokens, but 2 image\(s\) x 4 tokens per image = 8/);
    }
  });
});
