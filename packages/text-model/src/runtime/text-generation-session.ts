import type {
  DecodeInputs,
  GenerationSession,
  PrefillInputs,
  SessionOptions,
  VerifyInputs,
} from '@gemma3/generation';
import { KvCache } from '../cache/kv-cache.js';
import type { DecoderRunner } from './decoder-runner.js';
import { prepareStep } from './forward-inputs.js';

/**
 * The adapter generate() drives: prefill the padded prompt, then one token per row per step; for
 * prompt lookup (one row), `verify` runs the pending token and K drafts in one pass (logits at every
 * position) and `rollback` truncates the cache. With `options.draftTokens` the sliding-layer ring
 * keeps that many extra slots (`slidingSlack`), so dropping up to K positions keeps every key the
 * window needs.
 */
export class TextGenerationSession implements GenerationSession {
  private cache: KvCache | undefined;
  /** [B, V]: every decode step's logits are written here (generate() consumes them before the next). */
  private readonly decodeLogits: Float32Array;

  constructor(
    private readonly runner: DecoderRunner,
    options: SessionOptions,
  ) {
    const c = runner.config;
    this.cache = new KvCache({
      batchSize: options.batchSize,
      layerTypes: c.layer_types,
      kvHeads: c.num_key_value_heads,
      headDim: c.head_dim,
      slidingWindow: c.sliding_window,
      kind: options.cache,
      maxLength: options.maxLength,
      slidingSlack: options.draftTokens ?? 0,
    });
    this.decodeLogits = new Float32Array(options.batchSize * c.vocab_size);
  }

  private live(): KvCache {
    if (!this.cache) throw new Error('generation session used after dispose');
    return this.cache;
  }

  async prefill(inputs: PrefillInputs): Promise<Float32Array> {
    const { cache, step } = prepareStep(
      this.runner,
      {
        inputIds: inputs.inputIds,
        attentionMask: inputs.attentionMask,
        positionIds: inputs.positionIds,
        pastKeyValues: this.live(),
      },
      'last',
    );
    const logits = await this.runner.step(cache, step);
    return logits.data as Float32Array; // [B, 1, V] = [B, V]
  }

  async decode(inputs: DecodeInputs): Promise<Float32Array> {
    const cache = this.live();
    const step = {
      inputIds: BigInt64Array.from(inputs.tokenIds, (id) => BigInt(id)),
      mask: Uint8Array.from(inputs.attentionMask, (row) => row[row.length - 1]!),
      positionIds: BigInt64Array.from(inputs.positionIds, (p) => BigInt(p)),
      count: 1,
      outputPositions: 'last' as const,
      outputInto: this.decodeLogits,
    };
    const logits = await this.runner.step(cache, step);
    return logits.data as Float32Array;
  }

  async verify(inputs: VerifyInputs): Promise<Float32Array> {
    const cache = this.live();
    const count = inputs.tokenIds.length;
    const maskRow = inputs.attentionMask[0] ?? [];
    const step = {
      inputIds: BigInt64Array.from(inputs.tokenIds, (id) => BigInt(id)),
      mask: Uint8Array.from(maskRow.slice(maskRow.length - count)),
      positionIds: BigInt64Array.from(inputs.positionIds, (p) => BigInt(p)),
      count,
      outputPositions: 'all' as const,
    };
    const logits = await this.runner.step(cache, step);
    return logits.data as Float32Array; // [1, K + 1, V]
  }

  rollback(count: number): void {
    const cache = this.live();
    cache.truncate(cache.length - count);
  }

  dispose(): void {
    this.cache = undefined;
  }
}
