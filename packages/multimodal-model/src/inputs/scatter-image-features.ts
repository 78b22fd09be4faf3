import { ImageTokenCountError } from '../errors/image-token-count-error.js';

/** Flat indices (row-major over [B, T]) of the image soft tokens, in order. */
export function imageTokenPositions(ids: readonly number[], imageTokenId: number): number[] {
  const positions: number[] = [];
  ids.forEach((id, i) => {
    if (id === imageTokenId) positions.push(i);
  });
  return positions;
}

/**
 * The embeddings override the decoder takes: image features [N, M, H] placed, in order, at the image
 * token positions (row by row, left to right: images of row 0 first), as the reference's
 * `masked_scatter`. Throws ImageTokenCountError unless there are exactly N x M image tokens.
 */
export function scatterImageFeatures(
  positions: readonly number[],
  features: Float32Array,
  images: number,
  tokensPerImage: number,
  tokens: number,
  hidden: number,
): { embeds: Float32Array; mask: Uint8Array } {
  if (positions.length !== images * tokensPerImage) {
    throw new ImageTokenCountError({ imageTokens: positions.length, images, tokensPerImage });
  }
  const embeds = new Float32Array(tokens * hidden);
  const mask = new Uint8Array(tokens);
  positions.forEach((p, j) => {
    embeds.set(features.subarray(j * hidden, (j + 1) * hidden), p * hidden);
    mask[p] = 1;
  });
  return { embeds, mask };
}
