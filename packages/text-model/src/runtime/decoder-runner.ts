import type { Gemma3TextConfig, LayerType } from '@gemma3/config';
import { type OnnxSession, type ort, tensor } from '@gemma3/onnx';
import type { StepCache } from '../cache/step-cache.js';
import { InvalidInputError } from '../errors/invalid-input-error.js';
import { DecoderInputs, type DecoderOutputKind, DecoderOutputs } from '../graph/decoder-io.js';

/** One step for a batch: T new tokens per row, flattened row-major. */
export interface DecoderStep {
  /** [B * T] token ids. */
  inputIds: BigInt64Array;
  /** [B * T] 1 for a real token, 0 for padding. */
  mask: Uint8Array;
  /** [B * T] positions; default: each row continues from its real tokens so far. */
  positionIds?: BigInt64Array;
  /** T */
  count: number;
  /** Positions (0..T-1) to return logits/hidden states for; `all` or `last`. */
  outputPositions: 'all' | 'last' | readonly number[];
  /** [B * T] bidirectional groups (same id > 0: visible both ways), e.g. the tokens of one image. */
  groups?: Int32Array;
  /**
   * Where to write the logits/hidden states ([B * K * V] or [B * K * H]) instead of a new buffer, e.g.
   * one buffer reused by every decode step. The returned tensor then wraps it.
   */
  outputInto?: Float32Array;
  /** Only for graphs built with `embedsOverride`: [B * T * H] embeddings and [B * T] where to use them. */
  embedsOverride?: { embeds: Float32Array; mask: Uint8Array };
}

/**
 * Runs the decoder graph for one step over a KvCache: builds the feeds (cache buffers passed as
 * they are, attention biases from the cache's slot positions), runs, appends the new keys/values.
 * Shared by the causal LM, the hidden-state model and (later) the multimodal model.
 */
export class DecoderRunner {
  private readonly kinds: Set<LayerType>;

  constructor(
    readonly session: OnnxSession,
    readonly config: Gemma3TextConfig,
    readonly output: DecoderOutputKind,
    readonly embedsOverride: boolean,
    /** A graph built with output `cache` (other weight kernels), for all but the last token of prompts. */
    readonly prefillSession?: OnnxSession,
    /** Inputs fed unchanged to every run of the sessions that have them (a shared embedding table). */
    private readonly fixedFeeds: Readonly<Record<string, ort.Tensor>> = {},
  ) {
    this.kinds = new Set(config.layers.map((l) => l.layer_type));
  }

  /**
   * Returns `logits` [B, K, V] or `hidden_states` [B, K, H]; the cache holds the step afterwards.
   * With a prefill graph, a step of T > 1 tokens that wants only the last position runs as two: the
   * prefill graph over the first T - 1 columns (keys/values only), then the main graph over the last
   * (unless a bidirectional group spans that boundary).
   */
  async step(cache: StepCache, step: DecoderStep): Promise<ort.Tensor> {
    const split = this.prefillSplit(step);
    if (split === undefined) return this.run(this.session, cache, step, true);
    await this.run(this.prefillSession!, cache, split.head, false);
    return this.run(this.session, cache, split.last, true);
  }

  /**
   * Runs a step only for its keys and values (a prompt chunk whose logits nobody needs): on the
   * prefill graph when there is one, as `step` runs every prompt token but the last.
   */
  async extend(cache: StepCache, step: DecoderStep): Promise<void> {
    if (this.prefillSession !== undefined) await this.run(this.prefillSession, cache, step, false);
    else await this.run(this.session, cache, { ...step, outputPositions: 'last' }, true);
  }

  private readonly fixedBySession = new Map<OnnxSession, Record<string, ort.Tensor>>();

  private fixedFeedsOf(session: OnnxSession): Record<string, ort.Tensor> {
    let feeds = this.fixedBySession.get(session);
    if (feeds === undefined) {
      feeds = {};
      for (const name of session.inputNames) {
        const t = this.fixedFeeds[name];
        if (t !== undefined) feeds[name] = t;
      }
      this.fixedBySession.set(session, feeds);
    }
    return feeds;
  }

  async release(): Promise<void> {
    await this.session.release();
    await this.prefillSession?.release();
  }

  private prefillSplit(step: DecoderStep): { head: DecoderStep; last: DecoderStep } | undefined {
    const t = step.count;
    const lastOnly =
      step.outputPositions === 'last' ||
      (Array.isArray(step.outputPositions) &&
        step.outputPositions.length === 1 &&
        step.outputPositions[0] === t - 1);
    if (this.prefillSession === undefined || t < 2 || !lastOnly) return undefined;
    const b = step.inputIds.length / t;
    if (!Number.isInteger(b)) return undefined; // reported by run()
    if (step.groups) {
      for (let r = 0; r < b; r++) if (step.groups[r * t + t - 1] !== 0) return undefined;
    }
    return {
      head: sliceColumns(step, b, 0, t - 1, 'all'),
      last: sliceColumns(step, b, t - 1, t, 'last'),
    };
  }

  private async run(
    session: OnnxSession,
    cache: StepCache,
    step: DecoderStep,
    withOutput: boolean,
  ): Promise<ort.Tensor> {
    const { count } = step;
    const b = cache.batchSize;
    if (count < 1) throw new InvalidInputError('inputIds', 'at least one token per row is needed');
    if (step.inputIds.length !== b * count) {
      throw new InvalidInputError('inputIds', `expected ${b} x ${count} ids, got ${step.inputIds.length}`);
    }
    const vocab = BigInt(this.config.vocab_size);
    for (const id of step.inputIds) {
      if (id < 0n || id >= vocab)
        throw new InvalidInputError('inputIds', `token id ${id} is outside [0, ${vocab})`);
    }
    const positions =
      step.outputPositions === 'all'
        ? Array.from({ length: count }, (_, t) => t)
        : step.outputPositions === 'last'
          ? [count - 1]
          : step.outputPositions;
    for (const p of positions) {
      if (!Number.isInteger(p) || p < 0 || p >= count) {
        throw new InvalidInputError('outputPositions', `position ${p} is outside [0, ${count})`);
      }
    }
    cache.checkRoom(count);
    const positionIds = step.positionIds ?? cache.defaultPositions(step.mask, count);
    const feeds: Record<string, ort.Tensor> = {
      ...this.fixedFeedsOf(session),
      [DecoderInputs.inputIds]: tensor.int64(step.inputIds, [b, count]),
      [DecoderInputs.positionIds]: tensor.int64(positionIds, [b, count]),
    };
    if (withOutput) {
      feeds[DecoderInputs.outputPositions] = tensor.int64(
        BigInt64Array.from(positions, (p) => BigInt(p)),
        [positions.length],
      );
    }
    if (this.kinds.has('sliding_attention')) {
      const c = cache.capacity('sliding_attention');
      feeds[DecoderInputs.biasSliding] = tensor.float32(
        cache.attentionBias('sliding_attention', step.mask, count, step.groups),
        [b, 1, count, c + count],
      );
    }
    if (this.kinds.has('full_attention')) {
      const c = cache.capacity('full_attention');
      feeds[DecoderInputs.biasFull] = tensor.float32(
        cache.attentionBias('full_attention', step.mask, count, step.groups),
        [b, 1, count, c + count],
      );
    }
    this.config.layers.forEach((_, i) => {
      const { key, value, dims } = cache.layer(i);
      feeds[DecoderInputs.pastKey(i)] = tensor.float32(key, dims);
      feeds[DecoderInputs.pastValue(i)] = tensor.float32(value, dims);
    });
    if (this.embedsOverride) {
      const h = this.config.hidden_size;
      const override = step.embedsOverride ?? {
        embeds: new Float32Array(b * count * h),
        mask: new Uint8Array(b * count),
      };
      feeds[DecoderInputs.embedsOverride] = tensor.float32(override.embeds, [b, count, h]);
      feeds[DecoderInputs.embedsOverrideMask] = tensor.bool(override.mask, [b, count, 1]);
    } else if (step.embedsOverride) {
      throw new InvalidInputError('embedsOverride', 'this decoder graph was built without embedsOverride');
    }

    const outputName = this.output === 'logits' ? DecoderOutputs.logits : DecoderOutputs.hiddenStates;
    const width = this.output === 'logits' ? this.config.vocab_size : this.config.hidden_size;
    const into = withOutput ? step.outputInto : undefined;
    if (into !== undefined && into.length !== b * positions.length * width) {
      throw new InvalidInputError(
        'outputInto',
        `expected ${b * positions.length * width} floats, got ${into.length}`,
      );
    }
    const out =
      into === undefined
        ? await session.run(feeds)
        : await session.runInto(feeds, { [outputName]: tensor.float32(into, [b, positions.length, width]) });
    const newKeys = this.config.layers.map((_, i) => out[DecoderOutputs.newKey(i)]!.data as Float32Array);
    const newValues = this.config.layers.map((_, i) => out[DecoderOutputs.newValue(i)]!.data as Float32Array);
    cache.append(newKeys, newValues, step.mask, count);
    return out[outputName]!;
  }
}

/** Columns [from, to) of every row of a step (row-major [B, T] arrays; embeddings [B, T, H]). */
function sliceColumns(
  step: DecoderStep,
  b: number,
  from: number,
  to: number,
  outputPositions: DecoderStep['outputPositions'],
): DecoderStep {
  const t = step.count;
  const n = to - from;
  function cut<A extends BigInt64Array | Uint8Array | Int32Array | Float32Array>(src: A, width = 1): A {
    const out = new (src.constructor as new (length: number) => A)(b * n * width);
    for (let r = 0; r < b; r++) {
      const row = src.subarray((r * t + from) * width, (r * t + to) * width);
      (out as { set(a: typeof row, offset: number): void }).set(row, r * n * width);
    }
    return out;
  }
  const sliced: DecoderStep = {
    inputIds: cut(step.inputIds),
    mask: cut(step.mask),
    count: n,
    outputPositions,
  };
  if (step.positionIds) sliced.positionIds = cut(step.positionIds);
  if (step.groups) sliced.groups = cut(step.groups);
  if (step.embedsOverride) {
    const h = step.embedsOverride.embeds.length / (b * t);
    sliced.embedsOverride = {
      embeds: cut(step.embedsOverride.embeds, h),
      mask: cut(step.embedsOverride.mask),
    };
  }
  return sliced;
}
