import {
  ContinuousBatcher,
  type GenerateResult,
  type LogitsConstraint,
  PrefixCache,
  type SequenceBatchModel,
  type SequenceRequest,
} from '@gemma3/generation';
import type { PixelValues } from '@gemma3/multimodal-model';
import { InvalidPipelineInputError } from './errors/invalid-pipeline-input-error.js';
import { DEFAULT_PREFIX_CACHE_BYTES } from './pipeline-options.js';

export interface BatchingOptions {
  /**
   * Sequences decoded together: concurrent calls join one running batch (continuous batching) and
   * each gets what it would get alone. Default 1 (calls take turns).
   */
  parallel?: number;
  /** Bytes of finished conversations' KV state kept for prefix reuse (LRU); 0 turns reuse off. Default 512 MiB. */
  prefixCacheBytes?: number;
  /** Prompt tokens prefilled between two decode steps of running sequences. Default 256. */
  prefillChunk?: number;
}

/** The batcher's extra prompt inputs: the multimodal model's images. */
export type PipelineBatchExtra = { pixelValues?: PixelValues } | undefined;
type AnyExtra = PipelineBatchExtra;

/** The batcher over `model` when it can serve sequences (our ONNX models; not transformers.js folders). */
export function createPipelineBatcher(
  model: object,
  generationConfig: object | undefined,
  options: BatchingOptions,
): ContinuousBatcher<AnyExtra> | undefined {
  if (!('startBatch' in model)) return undefined;
  const parallel = options.parallel ?? 1;
  if (!Number.isInteger(parallel) || parallel < 1 || parallel > 256) {
    throw new InvalidPipelineInputError(
      'parallel',
      `must be an integer in [1, 256], got ${String(parallel)}`,
    );
  }
  const bytes = options.prefixCacheBytes ?? DEFAULT_PREFIX_CACHE_BYTES;
  if (!Number.isSafeInteger(bytes) || bytes < 0) {
    throw new InvalidPipelineInputError(
      'prefixCacheBytes',
      `must be a non-negative integer, got ${String(bytes)}`,
    );
  }
  return new ContinuousBatcher(model as SequenceBatchModel<AnyExtra>, {
    maxRows: parallel,
    ...(options.prefillChunk === undefined ? {} : { prefillChunk: options.prefillChunk }),
    ...(bytes > 0 ? { prefixCache: new PrefixCache({ maxBytes: bytes }) } : {}),
    ...(generationConfig === undefined ? {} : { generationConfig }),
  });
}

/** What run() hands the model for one prompt (generate()'s options, a batch of one row). */
export interface OneRowGeneration {
  inputIds: number[][];
  promptLookup?: unknown;
  cache?: 'dynamic' | 'static';
  constraints?: readonly (LogitsConstraint | null | undefined)[];
  [option: string]: unknown;
}

/** Whether the batcher gives these options their meaning (prompt lookup and a static cache need generate()). */
export function batcherServes(options: OneRowGeneration): boolean {
  return (options.promptLookup === undefined || options.promptLookup === false) && options.cache !== 'static';
}

/** generate()'s one-row options as a batcher request. */
export function toSequenceRequest(
  options: OneRowGeneration,
  pixelValues: PixelValues | undefined,
): SequenceRequest<AnyExtra> {
  const {
    inputIds,
    attentionMask: _mask,
    constraints,
    promptLookup: _lookup,
    cache: _cache,
    ...rest
  } = options;
  return {
    ...(rest as Omit<SequenceRequest<AnyExtra>, 'inputIds'>),
    inputIds: inputIds[0] ?? [],
    ...(pixelValues === undefined ? {} : { extra: { pixelValues } }),
    ...(constraints?.[0] == null ? {} : { constraint: constraints[0] }),
  };
}

export type BatchedResult = GenerateResult & { usage: GenerateResult['usage'] & { cachedTokens?: number } };
