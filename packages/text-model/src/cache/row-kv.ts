import type { LayerType } from '@gemma3/config';
import { InvalidInputError } from '../errors/invalid-input-error.js';

/**
 * One sequence's keys and values, packed: what moves between a single-row `KvCache` (prefill, the
 * prefix cache) and a row of a `BatchKvCache` (continuous batching). Only the positions a cache still
 * holds are here: every position of full layers, the last ring's worth of sliding layers.
 */
export interface RowKv {
  /** Positions seen (0 .. length - 1, no padding). */
  length: number;
  /** Per layer kind: the positions held, in the order of the packed rows below. */
  positions: Record<LayerType, Int32Array>;
  /** Per layer: [KV, n, D] keys of the positions held by that layer's kind, in `positions` order. */
  keys: Float32Array[];
  /** Per layer: [KV, n, D] values, as `keys`. */
  values: Float32Array[];
}

/** Bytes of the packed keys and values. */
export function rowKvBytes(row: RowKv): number {
  let floats = 0;
  for (const k of row.keys) floats += k.length;
  for (const v of row.values) floats += v.length;
  return floats * 4;
}

/** The row cut to positions [0, length): what it held before `length`, repacked (a copy). */
export function truncateRow(
  row: RowKv,
  length: number,
  layout: { layerTypes: readonly LayerType[]; kvHeads: number; headDim: number },
): RowKv {
  const { layerTypes, kvHeads, headDim: d } = layout;
  const kept = {} as Record<LayerType, number[]>;
  for (const kind of ['full_attention', 'sliding_attention'] as const) {
    kept[kind] = [];
    row.positions[kind].forEach((p, j) => {
      if (p < length) kept[kind].push(j);
    });
  }
  const repack = (store: Float32Array[]) =>
    layerTypes.map((kind, i) => {
      const held = row.positions[kind].length;
      const indexes = kept[kind];
      const out = new Float32Array(kvHeads * indexes.length * d); // [KV, n, D]
      for (let h = 0; h < kvHeads; h++) {
        indexes.forEach((j, k) => {
          const src = (h * held + j) * d;
          out.set(store[i]!.subarray(src, src + d), (h * indexes.length + k) * d);
        });
      }
      return out;
    });
  return {
    length: Math.min(length, row.length),
    positions: {
      full_attention: Int32Array.from(kept.full_attention, (j) => row.positions.full_attention[j]!),
      sliding_attention: Int32Array.from(kept.sliding_attention, (j) => row.positions.sliding_attention[j]!),
    },
    keys: repack(row.keys),
    values: repack(row.values),
  };
}

/** The slots of one row's table (`positions[offset .. offset + capacity)`) that hold a position, by position. */
export function heldSlots(positions: Int32Array, offset: number, capacity: number): Int32Array {
  const slots: number[] = [];
  for (let s = 0; s < capacity; s++) if (positions[offset + s]! >= 0) slots.push(s);
  slots.sort((a, b) => positions[offset + a]! - positions[offset + b]!);
  return Int32Array.from(slots);
}

/** Gathers `slots` of one row's [KV, C, D] block (starting at float `base`) into a packed [KV, n, D]. */
export function packSlots(
  store: Float32Array,
  base: number,
  capacity: number,
  slots: Int32Array,
  kvHeads: number,
  d: number,
): Float32Array {
  const out = new Float32Array(kvHeads * slots.length * d);
  for (let h = 0; h < kvHeads; h++) {
    slots.forEach((slot, j) => {
      const src = base + (h * capacity + slot) * d;
      out.set(store.subarray(src, src + d), (h * slots.length + j) * d);
    });
  }
  return out;
}

/** Scatters a packed [KV, n, D] into `slots` of one row's [KV, C, D] block (starting at float `base`). */
export function unpackSlots(
  packed: Float32Array,
  store: Float32Array,
  base: number,
  capacity: number,
  slots: Int32Array,
  kvHeads: number,
  d: number,
): void {
  for (let h = 0; h < kvHeads; h++) {
    slots.forEach((slot, j) => {
      const src = (h * slots.length + j) * d;
      store.set(packed.subarray(src, src + d), base + (h * capacity + slot) * d);
    });
  }
}

/** One layer kind's slot table as `writeRow` sees it: [rows * capacity] positions, -1 when empty. */
export interface RowSlotTable {
  capacity: number;
  ring: boolean;
  positions: Int32Array;
}

/**
 * Writes a packed row into row `r` of a cache: each held position's slot (position, or position mod
 * C in a ring; checked to fit) in the slot tables, and its keys and values into the per-layer buffers
 * ([rows, KV, C, D]). Shared by `KvCache.fromRow` (r = 0) and `BatchKvCache.addRow`.
 */
export function writeRow(
  row: RowKv,
  r: number,
  layout: { layerTypes: readonly LayerType[]; kvHeads: number; headDim: number },
  tables: Record<LayerType, RowSlotTable>,
  keys: readonly Float32Array[],
  values: readonly Float32Array[],
): void {
  const { layerTypes, kvHeads, headDim: d } = layout;
  if (row.keys.length !== layerTypes.length || row.values.length !== layerTypes.length) {
    throw new InvalidInputError('row', `has ${row.keys.length} layers, the cache ${layerTypes.length}`);
  }
  const slotsByKind = {} as Record<LayerType, Int32Array>;
  for (const kind of ['full_attention', 'sliding_attention'] as const) {
    const { capacity: c, ring, positions } = tables[kind];
    positions.fill(-1, r * c, (r + 1) * c);
    slotsByKind[kind] = Int32Array.from(row.positions[kind], (p) => {
      if (p < 0 || p >= row.length) {
        throw new InvalidInputError('row', `position ${p} outside [0, ${row.length})`);
      }
      const slot = ring ? p % c : p;
      if (slot >= c) throw new InvalidInputError('row', `position ${p} does not fit ${c} ${kind} slots`);
      positions[r * c + slot] = p;
      return slot;
    });
  }
  layerTypes.forEach((kind, i) => {
    const slots = slotsByKind[kind];
    const c = tables[kind].capacity;
    for (const [source, store] of [
      [row.keys[i]!, keys[i]!],
      [row.values[i]!, values[i]!],
    ] as const) {
      if (source.length !== kvHeads * slots.length * d) {
        throw new InvalidInputError(
          `row.${i}`,
          `expected ${kvHeads * slots.length * d} values, got ${source.length}`,
        );
      }
      unpackSlots(source, store, r * kvHeads * c * d, c, slots, kvHeads, d);
    }
  });
}
