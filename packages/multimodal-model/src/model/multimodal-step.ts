import type { Gemma3Config } from '@gemma3/config';
import { type DecoderStep, KvCache } from '@gemma3/text-model';
import { MultimodalInputError } from '../errors/multimodal-input-error.js';
import { imageGroups, tokenTypeIdsFromImageTokens } from '../inputs/image-groups.js';
import { flatIntegers, type Rows, rectangular, sameShape } from '../inputs/rows.js';
import { imageTokenPositions, scatterImageFeatures } from '../inputs/scatter-image-features.js';
import type { PixelValues, VisionEncoder } from '../vision/vision-encoder.js';

export interface MultimodalForwardInputs {
  /** [B][T] token ids; image soft tokens (`image_token_index`) mark where image features go. */
  inputIds: Rows;
  /** [B][T] or [B][past + T]: 1 real token, 0 left padding. Default all ones. */
  attentionMask?: Rows;
  /** [B][T] RoPE positions. Default: each row counts its real tokens (left padding starts at 0). */
  positionIds?: Rows;
  /**
   * [B][T] 1 on image soft tokens (Gemma3Processor's `token_type_ids`): each run of ones is one image,
   * whose tokens attend to each other both ways. Default (undefined): derived from the image tokens in
   * `inputIds`. `null`: no image groups at all, plain causal attention, as the reference with
   * `token_type_ids=None` (worse answers; for comparison only).
   */
  tokenTypeIds?: Rows | null;
  /** [N, C, S, S] processed pixels of the N images, in the order their blocks appear (row by row). */
  pixelValues?: PixelValues;
  /** The cache of earlier steps; appended to (and returned). Default: a new dynamic cache. */
  pastKeyValues?: KvCache;
}

export interface PreparedStep {
  cache: KvCache;
  step: DecoderStep;
  /** [N, M, Ht] features of this step's images (empty when none). */
  imageFeatures: Float32Array;
}

export function newCache(
  config: Gemma3Config,
  batchSize: number,
  kind: 'dynamic' | 'static' = 'dynamic',
  maxLength?: number,
  slidingSlack = 0,
): KvCache {
  const c = config.text_config;
  return new KvCache({
    batchSize,
    layerTypes: c.layer_types,
    kvHeads: c.num_key_value_heads,
    headDim: c.head_dim,
    slidingWindow: c.sliding_window,
    kind,
    slidingSlack,
    ...(maxLength === undefined ? {} : { maxLength }),
  });
}

/**
 * Turns multimodal inputs into one decoder step: runs the vision encoder on the images (once each,
 * reusing cached embeddings), replaces image token ids by 0 for the embedding lookup, scatters the
 * image features into their positions, and gives the image tokens their bidirectional groups.
 */
export async function prepareMultimodalStep(
  config: Gemma3Config,
  encoder: VisionEncoder,
  inputs: MultimodalForwardInputs,
  outputPositions: DecoderStep['outputPositions'],
): Promise<PreparedStep> {
  const { b, t } = rectangular(inputs.inputIds, 'inputIds');
  const vocab = config.text_config.vocab_size;
  const imageToken = config.image_token_index;
  const ids = flatIntegers(inputs.inputIds, 'inputIds', 0, Math.max(vocab - 1, imageToken));
  ids.forEach((id, i) => {
    if (id >= vocab && id !== imageToken) {
      throw new MultimodalInputError(
        'inputIds',
        `[${Math.floor(i / t)}][${i % t}] = ${id} is outside the vocabulary [0, ${vocab}) and is not the image token ${imageToken}`,
      );
    }
  });
  const cache = inputs.pastKeyValues ?? newCache(config, b);
  if (cache.batchSize !== b) {
    throw new MultimodalInputError(
      'pastKeyValues',
      `cache has batch ${cache.batchSize}, inputIds has ${b} rows`,
    );
  }

  let mask = new Uint8Array(b * t).fill(1);
  if (inputs.attentionMask !== undefined) {
    const m = rectangular(inputs.attentionMask, 'attentionMask');
    if (m.b !== b || (m.t !== t && m.t !== cache.length + t)) {
      throw new MultimodalInputError(
        'attentionMask',
        `shape [${m.b}, ${m.t}] fits neither [${b}, ${t}] nor [${b}, ${cache.length + t}] (past + new)`,
      );
    }
    const last = inputs.attentionMask.map((row) => row.slice(m.t - t));
    mask = Uint8Array.from(flatIntegers(last, 'attentionMask', 0, 1));
  }
  let positionIds: BigInt64Array | undefined;
  if (inputs.positionIds !== undefined) {
    sameShape(inputs.positionIds, 'positionIds', b, t);
    positionIds = BigInt64Array.from(
      flatIntegers(inputs.positionIds, 'positionIds', 0, Number.MAX_SAFE_INTEGER),
      BigInt,
    );
  }

  let tokenTypes: number[] | undefined;
  if (inputs.tokenTypeIds === undefined) tokenTypes = tokenTypeIdsFromImageTokens(ids, imageToken);
  else if (inputs.tokenTypeIds !== null) {
    sameShape(inputs.tokenTypeIds, 'tokenTypeIds', b, t);
    tokenTypes = flatIntegers(inputs.tokenTypeIds, 'tokenTypeIds', 0, 1);
  }
  const groups = tokenTypes === undefined ? undefined : imageGroups(tokenTypes, b, t);

  const positions = imageTokenPositions(ids, imageToken);
  const images = inputs.pixelValues === undefined ? 0 : encoder.checkPixels(inputs.pixelValues);
  let imageFeatures: Float32Array = new Float32Array(0);
  let embedsOverride: DecoderStep['embedsOverride'];
  if (positions.length > 0 || images > 0) {
    if (images > 0) imageFeatures = await encoder.imageFeatures(inputs.pixelValues!);
    embedsOverride = scatterImageFeatures(
      positions,
      imageFeatures,
      images,
      config.mm_tokens_per_image,
      b * t,
      config.text_config.hidden_size,
    );
  }
  const lookupIds = BigInt64Array.from(ids, (id) => BigInt(id === imageToken ? 0 : id));
  const step: DecoderStep = {
    inputIds: lookupIds,
    mask,
    count: t,
    outputPositions,
    ...(positionIds === undefined ? {} : { positionIds }),
    ...(groups?.some((g) => g > 0) ? { groups } : {}),
    ...(embedsOverride === undefined ? {} : { embedsOverride }),
  };
  return { cache, step, imageFeatures };
}
