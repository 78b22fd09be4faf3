import type { Gemma3Config } from '@gemma3/config';
import type { DecodeInputs, GenerationSession, PrefillInputs, SessionOptions } from '@gemma3/generation';
import type { DecoderRunner, KvCache } from '@gemma3/text-model';
import { MultimodalInputError } from '../errors/multimodal-input-error.js';
import type { Rows } from '../inputs/rows.js';
import type { PixelValues, VisionEncoder } from '../vision/vision-encoder.js';
import { newCache, prepareMultimodalStep } from './multimodal-step.js';

/** What `generate()` hands the first step of a multimodal generation, untouched. */
export interface MultimodalPrefillInputs {
  pixelValues?: PixelValues;
  /** [B][T] as in `forward` (undefined: from the image tokens; null: causal only). */
  tokenTypeIds?: Rows | null;
  /**
   * [B][T] 1 where the prompt held the image token before it was replaced by 0 for the generation
   * loop (needed when `image_token_index >= vocab_size`: the loop only accepts ids below the vocab).
   */
  imageTokenMask?: Rows;
}

/**
 * The adapter `generate()` drives. The prefill runs the images (vision encoder, scatter, the
 * bidirectional image mask); every decode step after it is one token per row with plain causal /
 * sliding attention, as the reference (which drops token_type_ids after the first step).
 */
export class MultimodalGenerationSession implements GenerationSession<MultimodalPrefillInputs | undefined> {
  private cache: KvCache | undefined;

  constructor(
    private readonly config: Gemma3Config,
    private readonly runner: DecoderRunner,
    private readonly encoder: VisionEncoder,
    options: SessionOptions,
  ) {
    this.cache = newCache(config, options.batchSize, options.cache, options.maxLength);
  }

  private live(): KvCache {
    if (!this.cache) throw new MultimodalInputError('session', 'generation session used after dispose');
    return this.cache;
  }

  async prefill(inputs: PrefillInputs<MultimodalPrefillInputs | undefined>): Promise<Float32Array> {
    const extra = inputs.extra ?? {};
    const imageToken = this.config.image_token_index;
    const inputIds = extra.imageTokenMask
      ? inputs.inputIds.map((row, b) =>
          row.map((id, t) => (extra.imageTokenMask![b]?.[t] === 1 ? imageToken : id)),
        )
      : inputs.inputIds;
    const { cache, step } = await prepareMultimodalStep(
      this.config,
      this.encoder,
      {
        inputIds,
        attentionMask: inputs.attentionMask,
        positionIds: inputs.positionIds,
        pastKeyValues: this.live(),
        ...(extra.pixelValues === undefined ? {} : { pixelValues: extra.pixelValues }),
        ...(extra.tokenTypeIds === undefined ? {} : { tokenTypeIds: extra.tokenTypeIds }),
      },
      'last',
    );
    const logits = await this.runner.step(cache, step);
    return logits.data as Float32Array; // [B, 1, V] = [B, V]
  }

  async decode(inputs: DecodeInputs): Promise<Float32Array> {
    const logits = await this.runner.step(this.live(), {
      inputIds: BigInt64Array.from(inputs.tokenIds, (id) => BigInt(id)),
      mask: Uint8Array.from(inputs.attentionMask, (row) => row[row.length - 1]!),
      positionIds: BigInt64Array.from(inputs.positionIds, (p) => BigInt(p)),
      count: 1,
      outputPositions: 'last',
    });
    return logits.data as Float32Array;
  }

  dispose(): void {
    this.cache = undefined;
  }
}
