import { createHash } from 'node:crypto';
import type { Gemma3Config } from '@gemma3/config';
import type { SequencePrefill, SequencePrefillResult, SequenceState } from '@gemma3/generation';
import { type DecoderRunner, type DecoderSequence, prefillSequence } from '@gemma3/text-model';
import { ImageTokenCountError } from '../errors/image-token-count-error.js';
import type { PixelValues, VisionEncoder } from '../vision/vision-encoder.js';
import type { MultimodalPrefillInputs } from './multimodal-generation-session.js';
import { prepareMultimodalStep } from './multimodal-step.js';

// Continuous batching and prefix reuse for prompts with images. An image is M = mm_tokens_per_image
// consecutive image tokens (the k-th block of image tokens is the k-th image of pixelValues); its
// tokens attend to each other both ways, so a chunk or a reused prefix never ends inside one.

type Extra = MultimodalPrefillInputs | undefined;

/** Floats of one image in pixelValues: C x S x S. */
function imageFloats(pixels: PixelValues): number {
  return pixels.dims.slice(1).reduce((a, b) => a * b, 1);
}

/** Image tokens in ids[0, end). */
function imageTokensBefore(ids: readonly number[], imageToken: number, end: number): number {
  let n = 0;
  for (let i = 0; i < end; i++) if (ids[i] === imageToken) n++;
  return n;
}

/**
 * Prefix-match keys of a prompt: text tokens are their ids; an image's first two tokens carry 96
 * bits of the SHA-256 of its pixels (as negative numbers, never equal to an id), so two prompts
 * match through an image only when its pixels are the same.
 */
export function multimodalPromptKeys(
  config: Gemma3Config,
  inputIds: readonly number[],
  extra: Extra,
): number[] {
  const imageToken = config.image_token_index;
  const m = config.mm_tokens_per_image;
  const keys = [...inputIds];
  const pixels = extra?.pixelValues;
  let ordinal = 0;
  inputIds.forEach((id, p) => {
    if (id !== imageToken) return;
    const within = ordinal % m;
    if (within < 2) {
      const image = Math.floor(ordinal / m);
      keys[p] = -1 - imageHashPart(pixels, image, within);
    }
    ordinal++;
  });
  return keys;
}

const hashes = new WeakMap<Float32Array, Map<number, Buffer>>();

/** 48 bits of the SHA-256 of image `image`'s pixels (`part` 0 or 1); 0 when the image is missing. */
function imageHashPart(pixels: PixelValues | undefined, image: number, part: number): number {
  if (pixels === undefined) return 0;
  const floats = imageFloats(pixels);
  if ((image + 1) * floats > pixels.data.length) return 0; // checked (and refused) by the prefill
  let byImage = hashes.get(pixels.data);
  if (byImage === undefined) {
    byImage = new Map();
    hashes.set(pixels.data, byImage);
  }
  let digest = byImage.get(image);
  if (digest === undefined) {
    const bytes = Buffer.from(pixels.data.buffer, pixels.data.byteOffset + image * floats * 4, floats * 4);
    digest = createHash('sha256').update(bytes).digest();
    byImage.set(image, digest);
  }
  return digest.readUIntBE(part * 6, 6);
}

/** The longest cut <= length that leaves no image split in two. */
export function alignToImages(config: Gemma3Config, inputIds: readonly number[], length: number): number {
  const imageToken = config.image_token_index;
  let n = length;
  while (n > 0 && n < inputIds.length && inputIds[n] === imageToken && inputIds[n - 1] === imageToken) n--;
  // a run of image tokens may hold several images back to back: cut at a multiple of M
  const m = config.mm_tokens_per_image;
  const before = imageTokensBefore(inputIds, imageToken, n);
  if (before % m !== 0 && n < inputIds.length && inputIds[n] === imageToken) n -= before % m;
  return n;
}

/**
 * The next prompt chunk of a sequence with images: the images whose tokens fall in the chunk are
 * encoded (the vision tower's embedding cache skips images it has seen) and scattered; a chunk that
 * would end inside an image runs to the image's end.
 */
export function prefillMultimodalSequence(
  config: Gemma3Config,
  runner: DecoderRunner,
  encoder: VisionEncoder,
  state: SequenceState,
  inputs: SequencePrefill<Extra>,
): Promise<SequencePrefillResult> {
  const ids = inputs.inputIds;
  const imageToken = config.image_token_index;
  const m = config.mm_tokens_per_image;
  const pixels = inputs.extra?.pixelValues;
  // the whole prompt is checked before its first chunk, with the errors of a one-shot prefill
  const count = pixels === undefined ? 0 : encoder.checkPixels(pixels);
  const imageTokens = imageTokensBefore(ids, imageToken, ids.length);
  if (imageTokens !== count * m) {
    return Promise.reject(new ImageTokenCountError({ imageTokens, images: count, tokensPerImage: m }));
  }
  return prefillSequence(
    runner,
    state,
    inputs,
    async (from, to) => {
      const firstImage = imageTokensBefore(ids, imageToken, from) / m;
      const images = (imageTokensBefore(ids, imageToken, to) - imageTokensBefore(ids, imageToken, from)) / m;
      let spanPixels: PixelValues | undefined;
      if (pixels !== undefined && images > 0) {
        const floats = imageFloats(pixels);
        spanPixels = {
          data: pixels.data.subarray(firstImage * floats, (firstImage + images) * floats),
          dims: [images, ...pixels.dims.slice(1)],
        };
      }
      const span = ids.slice(from, to);
      const { step } = await prepareMultimodalStep(
        config,
        encoder,
        {
          inputIds: [span],
          positionIds: [span.map((_, t) => from + t)],
          pastKeyValues: (state as DecoderSequence).kvCache(),
          ...(spanPixels === undefined ? {} : { pixelValues: spanPixels }),
        },
        'all',
      );
      return step;
    },
    (end) => {
      let n = end;
      while (n < ids.length && n > 0 && ids[n] === imageToken && ids[n - 1] === imageToken) n++;
      return n;
    },
  );
}
