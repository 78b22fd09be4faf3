import type { LayerType } from '@gemma3/config';

/**
 * What `DecoderRunner` needs of a cache to run one step: the batch it feeds, the past keys/values
 * per layer, the attention bias for the new tokens, and where the new keys/values go. Implemented by
 * `KvCache` (one generation's batch, left-padded rows in step) and `BatchKvCache` (continuous
 * batching: rows of different lengths that join and leave).
 */
export interface StepCache {
  /** Rows fed to the graph (B). */
  readonly batchSize: number;
  /** Throws before anything runs when `count` more positions do not fit. */
  checkRoom(count: number): void;
  /** [B * count] default position ids of `count` new tokens. */
  defaultPositions(newMask: Uint8Array, count: number): BigInt64Array;
  /** Slots C of a layer kind (the third dimension of its past key/value inputs). */
  capacity(kind: LayerType): number;
  /** [B, 1, count, C + count] additive bias of a layer kind. */
  attentionBias(kind: LayerType, newMask: Uint8Array, count: number, groups?: Int32Array): Float32Array;
  /** Layer `i`'s past keys and values, [B, KV, C, D]. */
  layer(i: number): { key: Float32Array; value: Float32Array; dims: [number, number, number, number] };
  /** Stores the step's new keys/values ([B, KV, count, D] per layer). */
  append(
    newKeys: readonly Float32Array[],
    newValues: readonly Float32Array[],
    newMask: Uint8Array,
    count: number,
  ): void;
}
