import { type GenerationConfig, loadGenerationConfig } from '@gemma3/config';
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
import { type CacheKind, KvCache } from './cache/kv-cache.js';
import type { DecoderRunner } from './runtime/decoder-runner.js';
import {
  DEFAULT_REUSE_SLACK,
  DecoderSequence,
  DecoderSequenceBatch,
  prefillSequence,
  type SequenceLayout,
  sequenceLayoutOf,
  textSpanStep,
} from './runtime/decoder-sequences.js';
import { type ForwardInputs, prepareStep } from './runtime/forward-inputs.js';
import { type LoadedDecoder, type LoadOptions, loadDecoder } from './runtime/load-decoder.js';
import { TextGenerationSession } from './runtime/text-generation-session.js';

export interface CausalLMForwardInputs extends ForwardInputs {
  /** `all` (default): logits for every position, [B, T, V]; `last`: only the last position, [B, 1, V]. */
  logits?: 'all' | 'last';
}

export interface CausalLMOutput {
  /** [B, T, V] (or [B, 1, V] with `logits: 'last'`): an onnxruntime tensor (`.data`, `.dims`). */
  logits: ort.Tensor;
  /** The cache, holding everything seen so far: pass it to the next call. */
  pastKeyValues: KvCache;
}

export interface CreateCacheOptions {
  batchSize: number;
  /** Default `dynamic`. */
  kind?: CacheKind;
  /** Required for `static`. */
  maxLength?: number;
  /** Extra sliding-layer slots so `cache.truncate` can drop up to this many positions (speculative decoding). */
  slidingSlack?: number;
}

/** Gemma 3 text decoder with its LM head, on onnxruntime-node. */
export class Gemma3ForCausalLM implements CausalLanguageModel, SequenceBatchModel {
  /**
   * Sliding-layer slots sequences keep beyond the window (`SequenceLayout.slidingSlack`): how far
   * back from a cached sequence's end a new prompt may diverge and still reuse it exactly.
   */
  reuseSlack = DEFAULT_REUSE_SLACK;

  private constructor(
    private readonly runner: DecoderRunner,
    /** Loading details: the built model file, whether it came from the cache, timings. */
    readonly loaded: Omit<LoadedDecoder, 'runner'>,
    readonly generationConfig: GenerationConfig,
  ) {}

  /**
   * Loads a Hugging Face Gemma 3 folder (text-only or multimodal: its text decoder), building the
   * ONNX decoder on first use and taking it from the model cache afterwards.
   */
  static async fromPretrained(dir: string, options: LoadOptions = {}): Promise<Gemma3ForCausalLM> {
    const { runner, ...loaded } = await loadDecoder(
      dir,
      { output: 'logits', embedsOverride: false },
      options,
    );
    const generationConfig = await loadGenerationConfig(dir, loaded.modelConfig);
    return new Gemma3ForCausalLM(runner, loaded, generationConfig);
  }

  get config() {
    return this.loaded.config;
  }

  get vocabSize(): number {
    return this.loaded.config.vocab_size;
  }

  get maxContextLength(): number {
    return this.loaded.config.max_position_embeddings;
  }

  /** An empty cache to pass as `pastKeyValues` (e.g. a static one preallocated to `maxLength`). */
  createCache(options: CreateCacheOptions): KvCache {
    const c = this.loaded.config;
    return new KvCache({
      batchSize: options.batchSize,
      layerTypes: c.layer_types,
      kvHeads: c.num_key_value_heads,
      headDim: c.head_dim,
      slidingWindow: c.sliding_window,
      kind: options.kind ?? 'dynamic',
      maxLength: options.maxLength,
      slidingSlack: options.slidingSlack,
    });
  }

  /** One forward pass over new tokens, after whatever `pastKeyValues` holds. */
  async forward(inputs: CausalLMForwardInputs): Promise<CausalLMOutput> {
    const { cache, step } = prepareStep(this.runner, inputs, inputs.logits ?? 'all');
    const logits = await this.runner.step(cache, step);
    return { logits, pastKeyValues: cache };
  }

  async startSession(options: SessionOptions): Promise<GenerationSession> {
    return new TextGenerationSession(this.runner, options);
  }

  /** The KV layout of the sequences `ContinuousBatcher` runs (prefix reuse keeps `slidingSlack` more slots). */
  get sequenceLayout(): SequenceLayout {
    return sequenceLayoutOf(this.loaded.config, this.reuseSlack);
  }

  /** Text prompts are matched token by token. */
  promptKeys(inputIds: readonly number[]): readonly number[] {
    return inputIds;
  }

  alignPrefix(_inputIds: readonly number[], _extra: undefined, length: number): number {
    return length;
  }

  newSequence(): SequenceState {
    return new DecoderSequence(
      this.sequenceLayout,
      this.createCache({ batchSize: 1, slidingSlack: this.reuseSlack }),
    );
  }

  prefill(state: SequenceState, inputs: SequencePrefill<undefined>): Promise<SequencePrefillResult> {
    return prefillSequence(this.runner, state, inputs, (from, to) => textSpanStep(inputs.inputIds, from, to));
  }

  startBatch(maxRows: number): SequenceBatch {
    return new DecoderSequenceBatch(this.runner, this.sequenceLayout, maxRows);
  }

  /** `generate()` of @gemma3/generation with this model's generation_config.json as defaults. */
  generate(options: GenerateOptions): Promise<GenerateResult> {
    return generate(this, { generationConfig: this.generationConfig, ...options });
  }

  async dispose(): Promise<void> {
    await this.runner.release();
  }
}
