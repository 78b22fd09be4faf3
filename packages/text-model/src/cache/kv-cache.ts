import type { LayerType } from '@gemma3/config';
import { CacheCapacityError } from '../errors/cache-capacity-error.js';
import { InvalidInputError } from '../errors/invalid-input-error.js';
import { heldSlots, packSlots, type RowKv, writeRow } from './row-kv.js';

export type CacheKind = 'dynamic' | 'static';

export interface KvCacheOptions {
  batchSize: number;
  /** One entry per decoder layer. */
  layerTypes: readonly LayerType[];
  kvHeads: number;
  headDim: number;
  /** Keys a query sees on sliding layers: k <= q and q - k < slidingWindow. */
  slidingWindow: number;
  /** `dynamic` grows as needed; `static` is preallocated to `maxLength` positions and never grows. */
  kind: CacheKind;
  /** Required for `static`: most positions (prompt + new tokens) the cache will hold. */
  maxLength?: number;
  /**
   * Extra sliding-layer slots beyond slidingWindow - 1 (default 0), so `truncate` can drop up to this
   * many positions (rejected speculative tokens) and still have every key the window needs.
   */
  slidingSlack?: number;
}

/** Float32 lowest: the additive bias of a masked key (as the reference's `finfo.min`). */
export const MASKED = -3.4028234663852886e38;

/** Full layers grow in steps of this many positions (fewer reallocations, bounded wasted slots). */
const GROWTH_STEP = 256;

interface SlotTable {
  /** Slots per row and head (C). */
  capacity: number;
  /** Sliding layers reuse slots modulo their capacity once it reached slidingWindow - 1. */
  ring: boolean;
  /** Position (index into the padded sequence) held by each slot, -1 when empty. */
  positions: Int32Array;
}

/**
 * The KV cache of one sequence batch: the single owner of its layout. Per layer, keys and values
 * are JS-owned Float32Arrays `[B, KV, C, D]` handed to onnxruntime as inputs without a copy; the
 * graph returns only this step's rows `[B, KV, T, D]`, which `append` writes into their slots.
 *
 * - Full-attention layers: slot = position; C grows in steps of 256 (`dynamic`) or is `maxLength` (`static`).
 * - Sliding layers: at most slidingWindow - 1 slots (all a future query can see), reused as a ring
 *   (slot = position mod C) once full. Slot order does not matter: each slot's position is tracked
 *   and the attention bias masks by position, so keys never move.
 * - The attention mask of every position seen is kept, so padding keys stay masked in later steps.
 */
export class KvCache {
  readonly batchSize: number;
  readonly kind: CacheKind;
  /** Positions seen so far (the padded index of the next token). */
  length = 0;
  private readonly options: KvCacheOptions;
  private readonly keys: Float32Array[];
  private readonly values: Float32Array[];
  private readonly tables: Record<LayerType, SlotTable>;
  private mask: Uint8Array;
  private maskCapacity: number;
  /** Real (unpadded) tokens seen per row: the next default position id. */
  private readonly realTokens: Int32Array;

  constructor(options: KvCacheOptions) {
    if (options.kind === 'static' && (options.maxLength === undefined || options.maxLength < 1)) {
      throw new InvalidInputError('maxLength', 'a static cache needs maxLength >= 1');
    }
    this.options = options;
    this.batchSize = options.batchSize;
    this.kind = options.kind;
    const ringMax = this.ringMax();
    const full = options.kind === 'static' ? options.maxLength! : 0;
    const sliding = options.kind === 'static' ? Math.min(ringMax, options.maxLength!) : 0;
    this.tables = {
      full_attention: { capacity: full, ring: false, positions: new Int32Array(full).fill(-1) },
      sliding_attention: {
        capacity: sliding,
        ring: sliding === ringMax,
        positions: new Int32Array(sliding).fill(-1),
      },
    };
    this.keys = options.layerTypes.map((t) => new Float32Array(this.layerSize(this.tables[t].capacity)));
    this.values = options.layerTypes.map((t) => new Float32Array(this.layerSize(this.tables[t].capacity)));
    this.maskCapacity = Math.max(full, 16);
    this.mask = new Uint8Array(this.batchSize * this.maskCapacity);
    this.realTokens = new Int32Array(this.batchSize);
  }

  /** Sliding-layer slots once the ring is full: what any later query can see, plus the slack. */
  private ringMax(): number {
    return Math.max(1, this.options.slidingWindow - 1) + (this.options.slidingSlack ?? 0);
  }

  /**
   * Forgets every position from `length` on (e.g. rejected draft tokens), as if they had never been
   * appended. Throws when a sliding layer already overwrote a key the window still needs (drop at most
   * `slidingSlack` positions that were appended after the ring filled).
   */
  truncate(length: number): void {
    if (!Number.isInteger(length) || length < 0 || length > this.length) {
      throw new InvalidInputError('length', `must be an integer in [0, ${this.length}], got ${length}`);
    }
    const lost = this.firstLostPosition(length);
    if (lost !== undefined) {
      throw new InvalidInputError(
        'length',
        `position ${lost} was overwritten in the sliding-layer ring; create the cache with a larger slidingSlack`,
      );
    }
    for (const table of Object.values(this.tables)) {
      table.positions.forEach((p, slot) => {
        if (p >= length) table.positions[slot] = -1;
      });
    }
    for (let b = 0; b < this.batchSize; b++) {
      let real = 0;
      for (let p = 0; p < length; p++) real += this.mask[b * this.maskCapacity + p]!;
      this.realTokens[b] = real;
    }
    this.length = length;
  }

  /**
   * Whether `truncate(length)` keeps everything later queries need: on sliding layers the window
   * before `length` must still be in the ring (a ring overwrites the oldest positions).
   */
  canTruncate(length: number): boolean {
    return (
      Number.isInteger(length) &&
      length >= 0 &&
      length <= this.length &&
      this.firstLostPosition(length) === undefined
    );
  }

  /** The first position a query after `length` needs that the sliding ring no longer holds. */
  private firstLostPosition(length: number): number | undefined {
    const sliding = this.tables.sliding_attention;
    if (!sliding.ring || !this.options.layerTypes.includes('sliding_attention')) return undefined;
    const needed = Math.max(0, length - (this.options.slidingWindow - 1));
    const held = new Set(sliding.positions);
    for (let p = needed; p < length; p++) if (!held.has(p)) return p;
    return undefined;
  }

  /** Bytes of the key and value buffers (what the cache costs in memory). */
  get bytes(): number {
    let floats = 0;
    for (const k of this.keys) floats += k.length;
    for (const v of this.values) floats += v.length;
    return floats * 4;
  }

  /**
   * The held keys and values of a one-row cache without padding, packed (a copy): to move the row
   * into a batch, keep it in a prefix cache, or clone it (`KvCache.fromRow`).
   */
  exportRow(): RowKv {
    if (this.batchSize !== 1) {
      throw new InvalidInputError('cache', `exportRow needs a one-row cache, this one has ${this.batchSize}`);
    }
    for (let p = 0; p < this.length; p++) {
      if (!this.mask[p])
        throw new InvalidInputError('cache', `position ${p} is padding; exportRow needs none`);
    }
    const { kvHeads, headDim: d, layerTypes } = this.options;
    const held = {} as Record<LayerType, Int32Array>;
    for (const kind of ['full_attention', 'sliding_attention'] as const) {
      const table = this.tables[kind];
      held[kind] = heldSlots(table.positions, 0, table.capacity);
    }
    const pack = (store: Float32Array[]) =>
      layerTypes.map((kind, i) =>
        packSlots(store[i]!, 0, this.tables[kind].capacity, held[kind], kvHeads, d),
      );
    const positionsOf = (kind: LayerType) =>
      Int32Array.from(held[kind], (s) => this.tables[kind].positions[s]!);
    return {
      length: this.length,
      positions: {
        full_attention: positionsOf('full_attention'),
        sliding_attention: positionsOf('sliding_attention'),
      },
      keys: pack(this.keys),
      values: pack(this.values),
    };
  }

  /**
   * A dynamic one-row cache holding `row` (as `exportRow` gave it), ready to be extended. The row
   * must come from a cache with the same layout; its sliding positions must fit this cache's ring.
   */
  static fromRow(options: Omit<KvCacheOptions, 'batchSize' | 'kind' | 'maxLength'>, row: RowKv): KvCache {
    const cache = new KvCache({ ...options, batchSize: 1, kind: 'dynamic' });
    cache.grow(row.length);
    writeRow(row, 0, options, cache.tables, cache.keys, cache.values);
    cache.mask.fill(1, 0, row.length);
    cache.realTokens[0] = row.length;
    cache.length = row.length;
    return cache;
  }

  get layerTypes(): readonly LayerType[] {
    return this.options.layerTypes;
  }

  private layerSize(capacity: number): number {
    return this.batchSize * this.options.kvHeads * capacity * this.options.headDim;
  }

  /** Slots C of a layer kind (the third dimension of its past key/value inputs). */
  capacity(kind: LayerType): number {
    return this.tables[kind].capacity;
  }

  /** Layer `i`'s cached keys and values, [B, KV, C, D]. */
  layer(i: number): { key: Float32Array; value: Float32Array; dims: [number, number, number, number] } {
    const kind = this.options.layerTypes[i]!;
    return {
      key: this.keys[i]!,
      value: this.values[i]!,
      dims: [this.batchSize, this.options.kvHeads, this.tables[kind].capacity, this.options.headDim],
    };
  }

  /**
   * Checks that `count` more positions fit (a static cache throws before anything runs). A dynamic
   * cache grows in `append`, so a step's past inputs never include slots reserved for the step itself.
   */
  checkRoom(count: number): void {
    const needed = this.length + count;
    if (this.kind === 'static' && needed > this.options.maxLength!) {
      throw new CacheCapacityError(this.options.maxLength!, needed);
    }
  }

  private grow(count: number): void {
    const needed = this.length + count;
    if (this.kind === 'dynamic') {
      const full = this.tables.full_attention;
      if (needed > full.capacity)
        this.resize('full_attention', Math.ceil(needed / GROWTH_STEP) * GROWTH_STEP);
      const sliding = this.tables.sliding_attention;
      const ringMax = this.ringMax();
      if (!sliding.ring && needed > sliding.capacity) {
        this.resize('sliding_attention', Math.min(ringMax, Math.ceil(needed / GROWTH_STEP) * GROWTH_STEP));
      }
    }
    if (needed > this.maskCapacity) {
      const next = Math.max(needed, this.maskCapacity * 2);
      const mask = new Uint8Array(this.batchSize * next);
      for (let b = 0; b < this.batchSize; b++) {
        mask.set(this.mask.subarray(b * this.maskCapacity, b * this.maskCapacity + this.length), b * next);
      }
      this.mask = mask;
      this.maskCapacity = next;
    }
  }

  private resize(kind: LayerType, capacity: number): void {
    const table = this.tables[kind];
    const ringMax = this.ringMax();
    const next: SlotTable = {
      capacity,
      ring: kind === 'sliding_attention' && capacity === ringMax,
      positions: new Int32Array(capacity).fill(-1),
    };
    const { kvHeads, headDim: d } = this.options;
    const moves: [number, number][] = [];
    table.positions.forEach((pos, slot) => {
      if (pos < 0) return;
      const to = next.ring ? pos % capacity : pos;
      next.positions[to] = pos;
      moves.push([slot, to]);
    });
    this.options.layerTypes.forEach((t, i) => {
      if (t !== kind) return;
      for (const store of [this.keys, this.values]) {
        const old = store[i]!;
        const fresh = new Float32Array(this.layerSize(capacity));
        for (let bh = 0; bh < this.batchSize * kvHeads; bh++) {
          for (const [from, to] of moves) {
            const src = (bh * table.capacity + from) * d;
            fresh.set(old.subarray(src, src + d), (bh * capacity + to) * d);
          }
        }
        store[i] = fresh;
      }
    });
    this.tables[kind] = next;
  }

  /** Default position ids for `count` new tokens with mask `newMask` [B * count]: continue each row. */
  defaultPositions(newMask: Uint8Array, count: number): BigInt64Array {
    const out = new BigInt64Array(this.batchSize * count);
    for (let b = 0; b < this.batchSize; b++) {
      let seen = this.realTokens[b]!;
      for (let t = 0; t < count; t++) {
        if (newMask[b * count + t]) {
          out[b * count + t] = BigInt(seen);
          seen += 1;
        } // padding keeps 0 (the reference's rule; these positions are masked anyway)
      }
    }
    return out;
  }

  /**
   * The additive attention bias [B, 1, T, C + T] of a layer kind for `count` new tokens: slot keys
   * first (by the position each holds), then the new tokens. A key is visible when it is not padding,
   * is not later than the query (unless both are in the same bidirectional group, e.g. one image), and
   * on sliding layers is less than slidingWindow positions back.
   *
   * `groups` [B * T] (optional): tokens with the same group id > 0 see each other both ways.
   */
  attentionBias(kind: LayerType, newMask: Uint8Array, count: number, groups?: Int32Array): Float32Array {
    const table = this.tables[kind];
    const c = table.capacity;
    const width = c + count;
    const window = kind === 'sliding_attention' ? this.options.slidingWindow : Number.POSITIVE_INFINITY;
    const bias = new Float32Array(this.batchSize * count * width).fill(MASKED);
    for (let b = 0; b < this.batchSize; b++) {
      const maskRow = b * this.maskCapacity;
      for (let t = 0; t < count; t++) {
        const q = this.length + t;
        const row = (b * count + t) * width;
        for (let s = 0; s < c; s++) {
          const pos = table.positions[s]!;
          if (pos >= 0 && this.mask[maskRow + pos] && q - pos < window) bias[row + s] = 0;
        }
        const group = groups ? groups[b * count + t]! : 0;
        for (let k = 0; k < count; k++) {
          if (!newMask[b * count + k]) continue;
          const visible = k <= t || (group > 0 && groups![b * count + k] === group);
          if (visible && t - k < window) bias[row + c + k] = 0;
        }
      }
    }
    return bias;
  }

  /**
   * Writes this step's keys and values ([B, KV, T, D] per layer, from the graph) into their slots and
   * records the step's mask. Sliding layers keep only the last C tokens.
   */
  append(
    newKeys: readonly Float32Array[],
    newValues: readonly Float32Array[],
    newMask: Uint8Array,
    count: number,
  ): void {
    this.checkRoom(count);
    this.grow(count);
    const { kvHeads, headDim: d, layerTypes } = this.options;
    const rows = this.batchSize * kvHeads;
    const slotsByKind = {} as Record<LayerType, { first: number; slots: Int32Array }>;
    for (const kind of ['full_attention', 'sliding_attention'] as const) {
      const table = this.tables[kind];
      const first = Math.max(0, count - table.capacity); // earlier new tokens fall out of a ring
      const slots = new Int32Array(count - first);
      for (let t = first; t < count; t++) {
        const pos = this.length + t;
        slots[t - first] = table.ring ? pos % table.capacity : pos;
      }
      slotsByKind[kind] = { first, slots };
    }
    layerTypes.forEach((kind, i) => {
      const { first, slots } = slotsByKind[kind];
      const c = this.tables[kind].capacity;
      const contiguous = slots.length > 0 && slots[slots.length - 1]! - slots[0]! === slots.length - 1;
      for (const [source, store] of [
        [newKeys[i]!, this.keys[i]!],
        [newValues[i]!, this.values[i]!],
      ] as const) {
        if (source.length !== rows * count * d) {
          throw new InvalidInputError(
            `new_key.${i}`,
            `expected ${rows * count * d} values, got ${source.length}`,
          );
        }
        for (let r = 0; r < rows; r++) {
          if (contiguous) {
            const src = (r * count + first) * d;
            store.set(source.subarray(src, src + slots.length * d), (r * c + slots[0]!) * d);
          } else {
            for (let j = 0; j < slots.length; j++) {
              const src = (r * count + first + j) * d;
              store.set(source.subarray(src, src + d), (r * c + slots[j]!) * d);
            }
          }
        }
      }
    });
    for (const kind of ['full_attention', 'sliding_attention'] as const) {
      const { first, slots } = slotsByKind[kind];
      slots.forEach((slot, j) => {
        this.tables[kind].positions[slot] = this.length + first + j;
      });
    }
    for (let b = 0; b < this.batchSize; b++) {
      for (let t = 0; t < count; t++) {
        const m = newMask[b * count + t]!;
        this.mask[b * this.maskCapacity + this.length + t] = m;
        if (m) this.realTokens[b]! += 1;
      }
    }
    this.length += count;
  }
}
