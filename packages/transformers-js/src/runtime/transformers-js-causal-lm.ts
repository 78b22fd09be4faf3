import {
  type Gemma3TextConfig,
  type GenerationConfig,
  loadGenerationConfig,
  textConfigOf,
} from '@gemma3/config';
import {
  type CausalLanguageModel,
  type DecodeInputs,
  type GenerateOptions,
  type GenerateResult,
  type GenerationSession,
  generate,
  type PrefillInputs,
  type SessionOptions,
} from '@gemma3/generation';
import { OnnxSession, type ort, type SessionConfig, tensor } from '@gemma3/onnx';
import { ExportLayoutError } from '../errors/export-layout-error.js';
import { ExportOptionsError } from '../errors/export-options-error.js';
import { type ExportDtype, TjsInputs, TjsOutputs } from '../layout.js';
import { type ExportFolder, readExportFolder } from './read-export.js';

export interface TransformersJsLoadOptions {
  /** Which export to run (default: config.json's `transformers.js_config.dtype`, else fp32). */
  dtype?: ExportDtype;
  /** onnxruntime CPU options. */
  session?: SessionConfig;
}

/** Per layer, the cache as transformers.js keeps it: the last `present` outputs, fed back as `past`. */
export interface TjsCache {
  keys: ort.Tensor[];
  values: ort.Tensor[];
  /** P: positions in the cache. */
  length: number;
}

export interface TjsForwardInputs {
  /** [B][T] token ids. */
  inputIds: readonly (readonly number[])[];
  /** [B][P + T] (1 real, 0 padding). Default: all ones. */
  attentionMask?: readonly (readonly number[])[];
  /** [B][T] 0-based positions (ours and the reference's). Default: cumsum(mask) - 1, padding 0. */
  positionIds?: readonly (readonly number[])[];
  /** The cache of an earlier call (default: empty). */
  past?: TjsCache;
  /** `all` (default) or `last`: logits for every new position or only the last one. */
  logits?: 'all' | 'last';
}

export interface TjsForwardOutput {
  /** [B, K, V] float32 (an onnxruntime tensor: `.data` Float32Array, `.dims`), as @gemma3/text-model's. */
  logits: ort.Tensor;
  cache: TjsCache;
}

function int64Rows(rows: readonly (readonly number[])[]): BigInt64Array {
  return BigInt64Array.from(rows.flat(), (v) => BigInt(v));
}

/**
 * A transformers.js export (ours, from `exportTransformersJs`) run by our own generation loop: the
 * decoder (and, for multimodal exports, `embed_tokens`) on onnxruntime-node, with the cache as
 * transformers.js keeps it (each step's `present.*` fed back as `past_key_values.*`). Implements
 * `CausalLanguageModel` of @gemma3/generation, so `generate()` works on it. Text only: images would
 * need the vision encoder plus our image mask, which this layout cannot carry (see the README).
 */
export class TransformersJsCausalLM implements CausalLanguageModel {
  readonly vocabSize: number;
  readonly maxContextLength: number;

  private constructor(
    readonly folder: ExportFolder,
    readonly config: Gemma3TextConfig,
    readonly generationConfig: GenerationConfig,
    private readonly decoder: OnnxSession,
    private readonly embedTokens: OnnxSession | undefined,
  ) {
    this.vocabSize = config.vocab_size;
    this.maxContextLength = config.max_position_embeddings;
  }

  static async fromFolder(
    dir: string,
    options: TransformersJsLoadOptions = {},
  ): Promise<TransformersJsCausalLM> {
    if (options.dtype !== undefined && !['fp32', 'q8', 'q4'].includes(options.dtype)) {
      throw new ExportOptionsError('dtype', options.dtype, 'expected one of fp32, q8, q4');
    }
    const folder = await readExportFolder(dir, options.dtype);
    const config = textConfigOf(folder.modelConfig);
    const generationConfig = await loadGenerationConfig(dir, folder.modelConfig);
    const decoder = await OnnxSession.create(folder.files.decoder, options.session);
    const embed =
      folder.files.embedTokens === undefined
        ? undefined
        : await OnnxSession.create(folder.files.embedTokens, options.session);
    const expected = embed ? TjsInputs.inputsEmbeds : TjsInputs.inputIds;
    for (const name of [
      expected,
      TjsInputs.attentionMask,
      TjsInputs.positionIds,
      TjsInputs.numLogitsToKeep,
      TjsInputs.pastKey(0),
    ]) {
      if (!decoder.inputNames.includes(name)) {
        await decoder.release();
        await embed?.release();
        throw new ExportLayoutError(
          dir,
          `the decoder graph has no input "${name}" (not an export of this package?)`,
        );
      }
    }
    return new TransformersJsCausalLM(folder, config, generationConfig, decoder, embed);
  }

  /** An empty cache for `batchSize` rows ([B, KV, 0, D] per layer). */
  emptyCache(batchSize: number): TjsCache {
    const c = this.config;
    const empty = () =>
      tensor.float32(new Float32Array(0), [batchSize, c.num_key_value_heads, 0, c.head_dim]);
    return { keys: c.layers.map(empty), values: c.layers.map(empty), length: 0 };
  }

  /** One decoder call with transformers.js's inputs; returns the logits and the grown cache. */
  async forward(inputs: TjsForwardInputs): Promise<TjsForwardOutput> {
    const b = inputs.inputIds.length;
    const t = inputs.inputIds[0]?.length ?? 0;
    const past = inputs.past ?? this.emptyCache(b);
    const mask =
      inputs.attentionMask ?? inputs.inputIds.map(() => new Array<number>(past.length + t).fill(1));
    const positions =
      inputs.positionIds ??
      mask.map((row) => {
        let next = 0;
        const all = row.map((m) => (m ? next++ : 0));
        return all.slice(all.length - t);
      });
    const ids = tensor.int64(int64Rows(inputs.inputIds), [b, t]);
    const feeds: Record<string, ort.Tensor> = {
      [TjsInputs.attentionMask]: tensor.int64(int64Rows(mask), [b, mask[0]?.length ?? 0]),
      // transformers.js feeds Gemma 3 1-based positions; the graph subtracts 1.
      [TjsInputs.positionIds]: tensor.int64(int64Rows(positions.map((row) => row.map((p) => p + 1))), [b, t]),
      [TjsInputs.numLogitsToKeep]: tensor.int64(BigInt64Array.of(inputs.logits === 'last' ? 1n : 0n), []),
    };
    if (this.embedTokens) {
      const embedded = await this.embedTokens.run({ [TjsInputs.inputIds]: ids }, [TjsOutputs.inputsEmbeds]);
      feeds[TjsInputs.inputsEmbeds] = embedded[TjsOutputs.inputsEmbeds];
    } else {
      feeds[TjsInputs.inputIds] = ids;
    }
    this.config.layers.forEach((_, i) => {
      feeds[TjsInputs.pastKey(i)] = past.keys[i]!;
      feeds[TjsInputs.pastValue(i)] = past.values[i]!;
    });
    const out = await this.decoder.run(feeds);
    return {
      logits: out[TjsOutputs.logits]!,
      cache: {
        keys: this.config.layers.map((_, i) => out[TjsOutputs.presentKey(i)]!),
        values: this.config.layers.map((_, i) => out[TjsOutputs.presentValue(i)]!),
        length: past.length + t,
      },
    };
  }

  async startSession(options: SessionOptions): Promise<GenerationSession> {
    let cache: TjsCache | undefined = this.emptyCache(options.batchSize);
    const live = () => {
      if (!cache) throw new ExportLayoutError(this.folder.dir, 'generation session used after dispose');
      return cache;
    };
    return {
      prefill: async (inputs: PrefillInputs) => {
        const out = await this.forward({
          inputIds: inputs.inputIds,
          attentionMask: inputs.attentionMask,
          positionIds: inputs.positionIds,
          past: live(),
          logits: 'last',
        });
        cache = out.cache;
        return out.logits.data as Float32Array; // [B, 1, V] = [B, V]
      },
      decode: async (inputs: DecodeInputs) => {
        const out = await this.forward({
          inputIds: inputs.tokenIds.map((id) => [id]),
          attentionMask: inputs.attentionMask,
          positionIds: inputs.positionIds.map((p) => [p]),
          past: live(),
          logits: 'last',
        });
        cache = out.cache;
        return out.logits.data as Float32Array;
      },
      dispose: () => {
        cache = undefined;
      },
    };
  }

  /** `generate()` of @gemma3/generation with the export's generation_config.json as defaults. */
  generate(options: GenerateOptions): Promise<GenerateResult> {
    return generate(this, { generationConfig: this.generationConfig, ...options });
  }

  async dispose(): Promise<void> {
    await this.decoder.release();
    await this.embedTokens?.release();
  }
}
