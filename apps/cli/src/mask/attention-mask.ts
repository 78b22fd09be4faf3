/** Why a key is visible to a query: masked, causal (key at or before the query), or only because both are in one image. */
export const MASKED = 0;
export const CAUSAL = 1;
export const IMAGE_BIDIRECTIONAL = 2;

export interface AttentionMaskOptions {
  /** Sliding window w (the key is visible iff q - k < w), or null for a global-attention layer. */
  slidingWindow: number | null;
}

/**
 * Image groups: each maximal run of image tokens gets its own index (0, 1, ...); text tokens get -1.
 * (Gemma3Processor puts `<start_of_image>` / `<end_of_image>` around each image, so runs never merge.)
 */
export function imageGroups(isImage: readonly boolean[]): number[] {
  let group = -1;
  return isImage.map((image, t) => {
    if (!image) return -1;
    if (t === 0 || !isImage[t - 1]) group += 1;
    return group;
  });
}

/**
 * The attention mask of one Gemma 3 layer, [T, T] row-major (query rows, key columns), as the
 * reference builds it: a query sees a key when it is causal (k <= q) or both are tokens of the same
 * image (both ways); on sliding layers additionally q - k < w. The window is one-sided: an image
 * token sees later tokens of its own image however far (q - k is negative), as in transformers'
 * sliding-window AND (causal OR same image).
 */
export function attentionMask(isImage: readonly boolean[], options: AttentionMaskOptions): Uint8Array {
  const t = isImage.length;
  const groups = imageGroups(isImage);
  const mask = new Uint8Array(t * t); // [T, T]
  for (let q = 0; q < t; q++) {
    for (let k = 0; k < t; k++) {
      const causal = k <= q;
      const sameImage = groups[q]! >= 0 && groups[q] === groups[k];
      if (!causal && !sameImage) continue;
      if (options.slidingWindow !== null && q - k >= options.slidingWindow) continue;
      mask[q * t + k] = causal ? CAUSAL : IMAGE_BIDIRECTIONAL;
    }
  }
  return mask;
}
