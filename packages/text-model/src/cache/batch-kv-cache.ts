import type { LayerType } from '@gemma3/config';
import { InvalidInputError } from '../errors/invalid-input-error.js';
import { MASKED } from './kv-cache.js';
import { heldSlots, packSlots, type RowKv, writeRow } from './row-kv.js';
import type { StepCache } from './step-cache.js';

export interface BatchKvCacheOptions {
  /** Most rows at once. */
  maxRows: number;
  layerTypes: readonly LayerType[];
  kvHeads: number;
  headDim: number;
  slidingWindow: number;
  /** Extra sliding-layer slots beyond slidingWindow - 1, as KvCache's (rows keep them when they leave). */
  slidingSlack?: number;
}

/** Slots grow in steps of this many positions (as KvCache's full layers). */
const GROWTH_STEP = 256;

interface BatchSlotTable {
  /** Slots per row and head (C), shared by every row. */
  capacity: number;
  /** Sliding layers: slot = position mod C once C reached slidingWindow - 1 + slack. */
  ring: boolean;
  /** [maxRows * C] position held by each row's slot, -1 when empty. */
  positions: Int32Array;
}

/**
 * The KV cache of a continuous batch: up to `maxRows` sequences of their own lengths, each a row
 * that joins (`addRow`, from a one-row KvCache's `exportRow`) and leaves (`removeRow`) between
 * steps. Rows 0 .. rows-1 are the active ones and are what a step feeds: per layer the buffer is
 * [maxRows, KV, C, D] and a step's past input is its first `rows` rows, a view without a copy.
 * Removing a row moves the last row into its place.
 *
 * Each row keeps its own slot table (KvCache's layout per row: full layers slot = position, sliding
 * layers a ring of slidingWindow - 1 + slack slots), so a row's keys never move while it runs and its
 * attention bias masks by the positions it holds. No padding: every position of a row is real.
 */
export class BatchKvCache implements StepCache {
  private activeRows = 0;
  /** [maxRows] positions seen per row. */
  private readonly lengths: Int32Array;
  private readonly keys: Float32Array[];
  private readonly values: Float32Array[];
  private readonly tables: Record<LayerType, BatchSlotTable>;

  constructor(private readonly options: BatchKvCacheOptions) {
    if (!Number.isInteger(options.maxRows) || options.maxRows < 1) {
      throw new InvalidInputError('maxRows', `must be an integer >= 1, got ${options.maxRows}`);
    }
    this.lengths = new Int32Array(options.maxRows);
    const empty = (): BatchSlotTable => ({ capacity: 0, ring: false, positions: new Int32Array(0) });
    this.tables = { full_attention: empty(), sliding_attention: empty() };
    this.keys = options.layerTypes.map(() => new Float32Array(0));
    this.values = options.layerTypes.map(() => new Float32Array(0));
  }

  /** Active rows: what a step feeds. */
  get batchSize(): number {
    return this.activeRows;
  }

  get maxRows(): number {
    return this.options.maxRows;
  }

  /** Positions seen by row `r`. */
  rowLength(r: number): number {
    this.checkRow(r);
    return this.lengths[r]!;
  }

  /** Bytes of the key and value buffers. */
  get bytes(): number {
    let floats = 0;
    for (const k of this.keys) floats += k.length;
    for (const v of this.values) floats += v.length;
    return floats * 4;
  }

  private ringMax(): number {
    return Math.max(1, this.options.slidingWindow - 1) + (this.options.slidingSlack ?? 0);
  }

  private checkRow(r: number): void {
    if (!Number.isInteger(r) || r < 0 || r >= this.activeRows) {
      throw new InvalidInputError('row', `must be an active row in [0, ${this.activeRows}), got ${r}`);
    }
  }

  /** Adds a sequence as row `rows` (the new last row) and returns its index. */
  addRow(row: RowKv): number {
    if (this.activeRows >= this.options.maxRows) {
      throw new InvalidInputError('row', `the batch is full (${this.options.maxRows} rows)`);
    }
    this.ensureCapacity(row.length);
    const r = this.activeRows;
    writeRow(row, r, this.options, this.tables, this.keys, this.values);
    this.activeRows += 1;
    this.lengths[r] = row.length;
    return r;
  }

  /**
   * Takes row `r` out (packed, for a prefix cache) and moves the last row into its place, so rows
   * 0 .. rows-1 stay the active ones. Callers renumber the moved row: it was `rows - 1`, now `r`.
   */
  removeRow(r: number): RowKv {
    this.checkRow(r);
    const out = this.exportRow(r);
    const last = this.activeRows - 1;
    if (r !== last) this.moveRow(last, r);
    this.activeRows -= 1;
    return out;
  }

  /** Row `r`'s held keys and values, packed (a copy). */
  exportRow(r: number): RowKv {
    this.checkRow(r);
    const { layerTypes, kvHeads, headDim: d } = this.options;
    const held = {} as Record<LayerType, Int32Array>;
    for (const kind of ['full_attention', 'sliding_attention'] as const) {
      const { capacity: c, positions } = this.tables[kind];
      held[kind] = heldSlots(positions, r * c, c);
    }
    const pack = (store: Float32Array[]) =>
      layerTypes.map((kind, i) => {
        const c = this.tables[kind].capacity;
        return packSlots(store[i]!, r * kvHeads * c * d, c, held[kind], kvHeads, d);
      });
    const positionsOf = (kind: LayerType) => {
      const { capacity: c, positions } = this.tables[kind];
      return Int32Array.from(held[kind], (s) => positions[r * c + s]!);
    };
    return {
      length: this.lengths[r]!,
      positions: {
        full_attention: positionsOf('full_attention'),
        sliding_attention: positionsOf('sliding_attention'),
      },
      keys: pack(this.keys),
      values: pack(this.values),
    };
  }

  /** Copies row `from`'s slots, keys and values over row `to` (same capacity: a plain block copy). */
  private moveRow(from: number, to: number): void {
    const { layerTypes, kvHeads, headDim: d } = this.options;
    for (const table of Object.values(this.tables)) {
      const c = table.capacity;
      table.positions.copyWithin(to * c, from * c, (from + 1) * c);
    }
    layerTypes.forEach((kind, i) => {
      const block = kvHeads * this.tables[kind].capacity * d; // one row: [KV, C, D]
      for (const store of [this.keys[i]!, this.values[i]!]) {
        store.copyWithin(to * block, from * block, (from + 1) * block);
      }
    });
    this.lengths[to] = this.lengths[from]!;
  }

  capacity(kind: LayerType): number {
    return this.tables[kind].capacity;
  }

  layer(i: number): { key: Float32Array; value: Float32Array; dims: [number, number, number, number] } {
    const kind = this.options.layerTypes[i]!;
    const { kvHeads, headDim: d } = this.options;
    const c = this.tables[kind].capacity;
    const n = this.activeRows * kvHeads * c * d; // the active rows: a prefix of [maxRows, KV, C, D]
    return {
      key: this.keys[i]!.subarray(0, n),
      value: this.values[i]!.subarray(0, n),
      dims: [this.activeRows, kvHeads, c, d],
    };
  }

  checkRoom(_count: number): void {
    // grows as needed; the caller bounds each sequence by the model's context
  }

  defaultPositions(_newMask: Uint8Array, count: number): BigInt64Array {
    const out = new BigInt64Array(this.activeRows * count);
    for (let r = 0; r < this.activeRows; r++) {
      for (let t = 0; t < count; t++) out[r * count + t] = BigInt(this.lengths[r]! + t);
    }
    return out;
  }

  attentionBias(kind: LayerType, newMask: Uint8Array, count: number, groups?: Int32Array): Float32Array {
    this.checkMask(newMask, count);
    const { capacity: c, positions } = this.tables[kind];
    const width = c + count;
    const window = kind === 'sliding_attention' ? this.options.slidingWindow : Number.POSITIVE_INFINITY;
    const b = this.activeRows;
    const bias = new Float32Array(b * count * width).fill(MASKED); // [B, 1, T, C + T]
    for (let r = 0; r < b; r++) {
      for (let t = 0; t < count; t++) {
        const q = this.lengths[r]! + t;
        const row = (r * count + t) * width;
        for (let s = 0; s < c; s++) {
          const pos = positions[r * c + s]!;
          if (pos >= 0 && q - pos < window) bias[row + s] = 0;
        }
        const group = groups ? groups[r * count + t]! : 0;
        for (let k = 0; k < count; k++) {
          const visible = k <= t || (group > 0 && groups![r * count + k] === group);
          if (visible && t - k < window) bias[row + c + k] = 0;
        }
      }
    }
    return bias;
  }

  private checkMask(newMask: Uint8Array, count: number): void {
    if (newMask.length !== this.activeRows * count) {
      throw new InvalidInputError(
        'mask',
        `expected ${this.activeRows * count} entries, got ${newMask.length}`,
      );
    }
    if (newMask.some((m) => m !== 1)) {
      throw new InvalidInputError('mask', 'a continuous batch has no padding: every new token must be real');
    }
  }

  append(
    newKeys: readonly Float32Array[],
    newValues: readonly Float32Array[],
    newMask: Uint8Array,
    count: number,
  ): void {
    this.checkMask(newMask, count);
    const b = this.activeRows;
    let longest = 0;
    for (let r = 0; r < b; r++) longest = Math.max(longest, this.lengths[r]! + count);
    this.ensureCapacity(longest);
    const { kvHeads, headDim: d, layerTypes } = this.options;
    layerTypes.forEach((kind, i) => {
      const { capacity: c, ring } = this.tables[kind];
      const first = Math.max(0, count - c); // earlier new tokens fall out of a ring
      for (const [source, store] of [
        [newKeys[i]!, this.keys[i]!],
        [newValues[i]!, this.values[i]!],
      ] as const) {
        if (source.length !== b * kvHeads * count * d) {
          throw new InvalidInputError(
            `new_key.${i}`,
            `expected ${b * kvHeads * count * d} values, got ${source.length}`,
          );
        }
        for (let r = 0; r < b; r++) {
          for (let h = 0; h < kvHeads; h++) {
            for (let t = first; t < count; t++) {
              const pos = this.lengths[r]! + t;
              const slot = ring ? pos % c : pos;
              const src = ((r * kvHeads + h) * count + t) * d; // [B, KV, T, D]
              store.set(source.subarray(src, src + d), ((r * kvHeads + h) * c + slot) * d);
            }
          }
        }
      }
    });
    for (const kind of ['full_attention', 'sliding_attention'] as const) {
      const { capacity: c, ring, positions } = this.tables[kind];
      const first = Math.max(0, count - c);
      for (let r = 0; r < b; r++) {
        for (let t = first; t < count; t++) {
          const pos = this.lengths[r]! + t;
          positions[r * c + (ring ? pos % c : pos)] = pos;
        }
      }
    }
    for (let r = 0; r < b; r++) this.lengths[r]! += count;
  }

  /** Grows the slot tables so a row of `length` positions fits (full layers) or the ring is reached. */
  private ensureCapacity(length: number): void {
    const full = this.tables.full_attention;
    if (length > full.capacity) {
      this.resize('full_attention', Math.ceil(length / GROWTH_STEP) * GROWTH_STEP);
    }
    const sliding = this.tables.sliding_attention;
    if (!sliding.ring && length > sliding.capacity) {
      this.resize(
        'sliding_attention',
        Math.min(this.ringMax(), Math.ceil(length / GROWTH_STEP) * GROWTH_STEP),
      );
    }
  }

  /** Re-lays every row of a kind for a new capacity (slot = position, or position mod C for the ring). */
  private resize(kind: LayerType, capacity: number): void {
    const table = this.tables[kind];
    const { maxRows, kvHeads, headDim: d, layerTypes } = this.options;
    const old = table.capacity;
    const ring = kind === 'sliding_attention' && capacity === this.ringMax();
    const positions = new Int32Array(maxRows * capacity).fill(-1);
    const moves: [number, number, number][] = []; // [row, from slot, to slot]
    for (let r = 0; r < this.activeRows; r++) {
      for (let s = 0; s < old; s++) {
        const pos = table.positions[r * old + s]!;
        if (pos < 0) continue;
        const to = ring ? pos % capacity : pos;
        positions[r * capacity + to] = pos;
        moves.push([r, s, to]);
      }
    }
    layerTypes.forEach((t, i) => {
      if (t !== kind) return;
      for (const store of [this.keys, this.values]) {
        const src = store[i]!;
        const fresh = new Float32Array(maxRows * kvHeads * capacity * d);
        for (const [r, from, to] of moves) {
          for (let h = 0; h < kvHeads; h++) {
            const at = ((r * kvHeads + h) * old + from) * d;
            fresh.set(src.subarray(at, at + d), ((r * kvHeads + h) * capacity + to) * d);
          }
        }
        store[i] = fresh;
      }
    });
    this.tables[kind] = { capacity, ring, positions };
  }
}
