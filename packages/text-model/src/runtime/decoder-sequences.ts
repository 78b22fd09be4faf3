import type { Gemma3TextConfig, LayerType } from '@gemma3/config';
import type {
  SequenceBatch,
  SequencePrefill,
  SequencePrefillResult,
  SequenceState,
} from '@gemma3/generation';
import { BatchKvCache } from '../cache/batch-kv-cache.js';
import { KvCache } from '../cache/kv-cache.js';
import { type RowKv, rowKvBytes, truncateRow } from '../cache/row-kv.js';
import { InvalidInputError } from '../errors/invalid-input-error.js';
import type { DecoderRunner, DecoderStep } from './decoder-runner.js';

/** The cache layout every sequence of one model shares. */
export interface SequenceLayout {
  layerTypes: readonly LayerType[];
  kvHeads: number;
  headDim: number;
  slidingWindow: number;
  /**
   * Sliding-layer slots kept beyond the window: a sequence can be cut back this many positions from
   * its end and reused exactly (a new chat turn that re-tokenizes the end of the last answer
   * differently). Further back, a sliding layer has lost keys the cut needs, and the prompt is
   * prefilled from the start instead.
   */
  slidingSlack: number;
}

/** Default `SequenceLayout.slidingSlack`. */
export const DEFAULT_REUSE_SLACK = 64;

/** The sequence layout of a text config (the multimodal model passes its text_config). */
export function sequenceLayoutOf(config: Gemma3TextConfig, slidingSlack: number): SequenceLayout {
  return {
    layerTypes: config.layer_types,
    kvHeads: config.num_key_value_heads,
    headDim: config.head_dim,
    slidingWindow: config.sliding_window,
    slidingSlack,
  };
}

/**
 * One sequence's KV state for continuous batching and prefix reuse: a one-row `KvCache` while it is
 * prefilled, packed (`RowKv`, only the held positions) when it comes out of a batch or sits in a
 * prefix cache.
 */
export class DecoderSequence implements SequenceState {
  private cache: KvCache | undefined;
  private row: RowKv | undefined;

  constructor(
    private readonly layout: SequenceLayout,
    from: KvCache | RowKv,
  ) {
    if (from instanceof KvCache) this.cache = from;
    else this.row = from;
  }

  get length(): number {
    return this.cache?.length ?? this.row!.length;
  }

  get bytes(): number {
    return this.cache?.bytes ?? rowKvBytes(this.row!);
  }

  reusableLength(length: number): number {
    const n = Math.max(0, Math.min(Math.floor(length), this.length));
    if (!this.layout.layerTypes.includes('sliding_attention')) return n;
    if (this.cache) return this.cache.canTruncate(n) ? n : 0;
    // a ring holds a contiguous run of the latest positions [first, length)
    const first = this.row!.positions.sliding_attention[0] ?? 0;
    return first === 0 || n - (this.layout.slidingWindow - 1) >= first ? n : 0;
  }

  fork(length: number): DecoderSequence {
    if (length !== this.reusableLength(length)) {
      throw new InvalidInputError('length', `cannot cut this sequence at ${length} exactly`);
    }
    const row = truncateRow(this.packed(), length, this.layout);
    return new DecoderSequence(this.layout, KvCache.fromRow(this.cacheOptions(), row));
  }

  /** The one-row cache to run more tokens on (unpacked once). */
  kvCache(): KvCache {
    if (this.cache === undefined) {
      this.cache = KvCache.fromRow(this.cacheOptions(), this.row!);
      this.row = undefined;
    }
    return this.cache;
  }

  /** The packed keys and values (a copy when the state is a cache). */
  packed(): RowKv {
    return this.row ?? this.cache!.exportRow();
  }

  private cacheOptions() {
    const { layerTypes, kvHeads, headDim, slidingWindow, slidingSlack } = this.layout;
    return { layerTypes, kvHeads, headDim, slidingWindow, slidingSlack };
  }
}

/** A running batch over the decode graph: rows join from prefilled sequences and leave packed. */
export class DecoderSequenceBatch implements SequenceBatch {
  private readonly cache: BatchKvCache;
  private readonly outputs = new Map<number, Float32Array>();

  constructor(
    private readonly runner: DecoderRunner,
    private readonly layout: SequenceLayout,
    readonly maxRows: number,
  ) {
    this.cache = new BatchKvCache({ ...layout, maxRows });
  }

  get rows(): number {
    return this.cache.batchSize;
  }

  add(state: SequenceState): number {
    if (!(state instanceof DecoderSequence)) {
      throw new InvalidInputError('state', 'not a sequence of this model');
    }
    return this.cache.addRow(state.packed());
  }

  remove(row: number): DecoderSequence {
    return new DecoderSequence(this.layout, this.cache.removeRow(row));
  }

  async decode(tokenIds: readonly number[]): Promise<Float32Array> {
    const b = this.cache.batchSize;
    if (tokenIds.length !== b) {
      throw new InvalidInputError('tokenIds', `expected one id per row (${b}), got ${tokenIds.length}`);
    }
    const v = this.runner.config.vocab_size;
    let into = this.outputs.get(b);
    if (into === undefined) {
      into = new Float32Array(b * v); // [B, V], reused by every step of this many rows
      this.outputs.set(b, into);
    }
    const out = await this.runner.step(this.cache, {
      inputIds: BigInt64Array.from(tokenIds, (id) => BigInt(id)),
      mask: new Uint8Array(b).fill(1),
      count: 1,
      outputPositions: 'last',
      outputInto: into,
    });
    return out.data as Float32Array;
  }

  dispose(): void {
    this.outputs.clear();
  }
}

/**
 * Runs tokens [state.length, end) of a prompt on a sequence, `end` = state.length + maxTokens at most
 * (stretched by `alignEnd`, e.g. to keep an image whole): cache only, or with the logits of the last
 * prompt token when the chunk ends the prompt. `build` gives the decoder step for a span.
 */
export async function prefillSequence(
  runner: DecoderRunner,
  state: SequenceState,
  inputs: Pick<SequencePrefill<unknown>, 'inputIds' | 'maxTokens'>,
  build: (from: number, to: number) => Promise<DecoderStep> | DecoderStep,
  alignEnd: (end: number) => number = (end) => end,
): Promise<SequencePrefillResult> {
  if (!(state instanceof DecoderSequence))
    throw new InvalidInputError('state', 'not a sequence of this model');
  const total = inputs.inputIds.length;
  const from = state.length;
  if (from >= total) {
    throw new InvalidInputError(
      'inputIds',
      `the sequence already holds ${from} of the prompt's ${total} tokens`,
    );
  }
  const maxTokens = Math.max(1, Math.floor(inputs.maxTokens));
  const end = Math.min(total, alignEnd(Math.min(total, from + maxTokens)));
  const step = await build(from, end);
  const cache = state.kvCache();
  if (end < total) {
    await runner.extend(cache, step);
    return { end };
  }
  const logits = await runner.step(cache, { ...step, outputPositions: 'last' });
  return { end, logits: logits.data as Float32Array };
}

/** A text prompt's span [from, to) as a decoder step (positions continue the sequence). */
export function textSpanStep(inputIds: readonly number[], from: number, to: number): DecoderStep {
  const count = to - from;
  const ids = new BigInt64Array(count);
  const positions = new BigInt64Array(count);
  for (let t = 0; t < count; t++) {
    ids[t] = BigInt(inputIds[from + t]!);
    positions[t] = BigInt(from + t);
  }
  return {
    inputIds: ids,
    mask: new Uint8Array(count).fill(1),
    positionIds: positions,
    count,
    outputPositions: 'all',
  };
}
