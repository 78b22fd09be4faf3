import type { Gemma3Config, GenerationConfig } from '@gemma3/config';
import {
  type CausalLanguageModel,
  type GenerateOptions,
  type GenerateResult,
  type GenerationSession,
  generate,
  type SequenceBatch,
  type SequenceBatchModel,
  type SequencePrefill,
  type SequencePrefillResult,
  type SequenceState,
  type SessionOptions,
} from '@gemma3/generation';
import type { ort } from '@gemma3/onnx';
import {
  DEFAULT_REUSE_SLACK,
  DecoderSequence,
  DecoderSequenceBatch,
  type KvCache,
  type SequenceLayout,
  sequenceLayoutOf,
} from '@gemma3/text-model';
import { MultimodalInputError } from '../errors/multimodal-input-error.js';
import type { Rows } from '../inputs/rows.js';
import type { ImageCacheStats } from '../vision/image-embedding-cache.js';
import type { PixelValues, VisionEncoder } from '../vision/vision-encoder.js';
import { type LoadedMultimodal, loadMultimodal, type MultimodalLoadOptions } from './load-multimodal.js';
import {
  MultimodalGenerationSession,
  type MultimodalPrefillInputs,
} from './multimodal-generation-session.js';
import { alignToImages, multimodalPromptKeys, prefillMultimodalSequence } from './multimodal-sequences.js';
import { type MultimodalForwardInputs, newCache, prepareMultimodalStep } from './multimodal-step.js';

export interface ConditionalGenerationForwardInputs extends MultimodalForwardInputs {
  /** `all` (default): logits for every position, [B, T, V]; `last`: only the last position, [B, 1, V]. */
  logits?: 'all' | 'last';
}

export interface ConditionalGenerationOutput {
  /** [B, T, V] (or [B, 1, V]): an onnxruntime tensor (`.data`, `.dims`). */
  logits: ort.Tensor;
  /** The cache, holding everything seen so far: pass it to the next call. */
  pastKeyValues: KvCache;
  /** [N, M, Ht] projected features of this call's images. */
  imageHiddenStates: Float32Array;
}

/** `generate()` options of the text model plus the images of the prompt. */
export interface MultimodalGenerateOptions extends Omit<GenerateOptions, 'extraInputs'> {
  /** [N, C, S, S] processed pixels of the prompt's images, in block order (row by row). */
  pixelValues?: PixelValues;
  /** [B][T] as in `forward` (undefined: from the image tokens; null: causal only, for comparison). */
  tokenTypeIds?: Rows | null;
}

/**
 * Gemma 3 with images (the reference's Gemma3ForConditionalGeneration): the SigLIP vision tower and
 * projector of this package in front of @gemma3/text-model's decoder, with the LM head.
 */
export class Gemma3ForConditionalGeneration
  implements
    CausalLanguageModel<MultimodalPrefillInputs | undefined>,
    SequenceBatchModel<MultimodalPrefillInputs | undefined>
{
  /** As Gemma3ForCausalLM's: how far back from a cached sequence's end a new prompt may diverge. */
  reuseSlack = DEFAULT_REUSE_SLACK;

  private constructor(private readonly loaded: LoadedMultimodal) {}

  /** Loads a Hugging Face Gemma 3 multimodal folder (released, 4.5x or 5.x tensor names). */
  static async fromPretrained(
    dir: string,
    options: MultimodalLoadOptions = {},
  ): Promise<Gemma3ForConditionalGeneration> {
    return new Gemma3ForConditionalGeneration(await loadMultimodal(dir, 'logits', options));
  }

  get config(): Gemma3Config {
    return this.loaded.config;
  }

  get generationConfig(): GenerationConfig {
    return this.loaded.generationConfig;
  }

  get visionEncoder(): VisionEncoder {
    return this.loaded.encoder;
  }

  get details(): LoadedMultimodal['details'] {
    return this.loaded.details;
  }

  /** Hits, misses and evictions of the image feature cache, and what it holds (entries, bytes). */
  imageCacheStats(): ImageCacheStats {
    return this.loaded.encoder.cache.stats();
  }

  get vocabSize(): number {
    return this.loaded.config.text_config.vocab_size;
  }

  get maxContextLength(): number {
    return this.loaded.config.text_config.max_position_embeddings;
  }

  /** An empty cache to pass as `pastKeyValues`. */
  createCache(batchSize: number, kind: 'dynamic' | 'static' = 'dynamic', maxLength?: number): KvCache {
    return newCache(this.loaded.config, batchSize, kind, maxLength);
  }

  /** Projected image features [N, M, Ht] (SigLIP + projector), reusing cached embeddings. */
  getImageFeatures(pixelValues: PixelValues): Promise<Float32Array> {
    return this.loaded.encoder.imageFeatures(pixelValues);
  }

  /** One forward pass over new tokens (with images in the prompt), after whatever `pastKeyValues` holds. */
  async forward(inputs: ConditionalGenerationForwardInputs): Promise<ConditionalGenerationOutput> {
    const { cache, step, imageFeatures } = await prepareMultimodalStep(
      this.loaded.config,
      this.loaded.encoder,
      inputs,
      inputs.logits ?? 'all',
    );
    const logits = await this.loaded.runner.step(cache, step);
    return { logits, pastKeyValues: cache, imageHiddenStates: imageFeatures };
  }

  async startSession(
    options: SessionOptions,
  ): Promise<GenerationSession<MultimodalPrefillInputs | undefined>> {
    return new MultimodalGenerationSession(
      this.loaded.config,
      this.loaded.runner,
      this.loaded.encoder,
      options,
    );
  }

  /** The KV layout of the sequences `ContinuousBatcher` runs. */
  get sequenceLayout(): SequenceLayout {
    return sequenceLayoutOf(this.loaded.config.text_config, this.reuseSlack);
  }

  /** Token ids, with each image's tokens keyed by a hash of its pixels. */
  promptKeys(inputIds: readonly number[], extra: MultimodalPrefillInputs | undefined): readonly number[] {
    return multimodalPromptKeys(this.loaded.config, inputIds, extra);
  }

  alignPrefix(
    inputIds: readonly number[],
    _extra: MultimodalPrefillInputs | undefined,
    length: number,
  ): number {
    return alignToImages(this.loaded.config, inputIds, length);
  }

  newSequence(): SequenceState {
    return new DecoderSequence(
      this.sequenceLayout,
      newCache(this.loaded.config, 1, 'dynamic', undefined, this.reuseSlack),
    );
  }

  /**
   * The next chunk of a prompt (its image soft tokens as `image_token_index`, `extra.pixelValues` the
   * prompt's images): images already in the sequence are not encoded again.
   */
  prefill(
    state: SequenceState,
    inputs: SequencePrefill<MultimodalPrefillInputs | undefined>,
  ): Promise<SequencePrefillResult> {
    return prefillMultimodalSequence(
      this.loaded.config,
      this.loaded.runner,
      this.loaded.encoder,
      state,
      inputs,
    );
  }

  startBatch(maxRows: number): SequenceBatch {
    return new DecoderSequenceBatch(this.loaded.runner, this.sequenceLayout, maxRows);
  }

  /**
   * `generate()` of @gemma3/generation (same options as the text model; defaults from
   * generation_config.json) with the prompt's images. Returns the sequences as the reference does:
   * prompt (image tokens included) + new ids.
   */
  async generate(options: MultimodalGenerateOptions): Promise<GenerateResult> {
    const { pixelValues, tokenTypeIds, ...rest } = options;
    const imageToken = this.loaded.config.image_token_index;
    const prompt = leftPad(options, this.padTokenId(options));
    const replace = imageToken >= this.vocabSize; // the loop only takes ids < vocab: carry those aside
    const imageTokenMask = prompt.inputIds.map((row) => row.map((id) => (id === imageToken ? 1 : 0)));
    const inputIds = replace
      ? prompt.inputIds.map((row) => row.map((id) => (id === imageToken ? 0 : id)))
      : prompt.inputIds;
    const extra: MultimodalPrefillInputs = {
      ...(pixelValues === undefined ? {} : { pixelValues }),
      ...(tokenTypeIds === undefined ? {} : { tokenTypeIds: prompt.tokenTypeIds ?? null }),
      ...(replace ? { imageTokenMask } : {}),
    };
    const result = await generate<MultimodalPrefillInputs | undefined>(this, {
      generationConfig: this.loaded.generationConfig,
      ...rest,
      inputIds,
      ...(prompt.attentionMask === undefined ? {} : { attentionMask: prompt.attentionMask }),
      extraInputs: extra,
    });
    if (replace) {
      result.sequences.forEach((row, b) => {
        imageTokenMask[b]!.forEach((m, t) => {
          if (m === 1) row[t] = imageToken;
        });
      });
    }
    return result;
  }

  private padTokenId(options: MultimodalGenerateOptions): number | undefined {
    return options.padTokenId ?? this.loaded.generationConfig.pad_token_id ?? undefined;
  }

  async dispose(): Promise<void> {
    await this.loaded.runner.release();
    await this.loaded.encoder.release();
  }
}

/**
 * Rows of different lengths without an attention mask are left-padded here (ids with the pad id,
 * token types with 0), so the image-token bookkeeping lines up with what the generation loop sees.
 */
function leftPad(
  options: MultimodalGenerateOptions,
  padTokenId: number | undefined,
): { inputIds: number[][]; attentionMask: Rows | undefined; tokenTypeIds: Rows | null | undefined } {
  const rows = options.inputIds;
  if (!Array.isArray(rows) || rows.length === 0) {
    throw new MultimodalInputError('inputIds', 'needs at least one row ([B][T])');
  }
  const length = Math.max(...rows.map((r) => r.length));
  const ragged = rows.some((r) => r.length !== length);
  if (!ragged || options.attentionMask !== undefined) {
    return {
      inputIds: rows.map((r) => [...r]),
      attentionMask: options.attentionMask,
      tokenTypeIds: options.tokenTypeIds,
    };
  }
  if (padTokenId === undefined) {
    throw new MultimodalInputError(
      'inputIds',
      'rows differ in length and no padTokenId is set to left-pad them',
    );
  }
  const pad = (r: readonly number[], value: number) => [
    ...new Array<number>(length - r.length).fill(value),
    ...r,
  ];
  const tokenTypeIds = options.tokenTypeIds;
  if (tokenTypeIds) {
    tokenTypeIds.forEach((r, i) => {
      if (r.length !== rows[i]?.length) {
        throw new MultimodalInputError(
          'tokenTypeIds',
          `row ${i} has ${r.length} entries, inputIds row has ${rows[i]?.length}`,
        );
      }
    });
  }
  return {
    inputIds: rows.map((r) => pad(r, padTokenId)),
    attentionMask: rows.map((r) => pad(new Array<number>(r.length).fill(1), 0)),
    tokenTypeIds: tokenTypeIds ? tokenTypeIds.map((r) => pad(r, 0)) : tokenTypeIds,
  };
}
