import { float32ToBfloat16Bits } from '@gemma3/weights';
import { normalQuantile } from './normal-table.js';

/**
 * Seeded, counter-based normal samples written straight as bfloat16 bits.
 *
 * Element i of a tensor is `table[h(i) >>> 16]` where h is two rounds of a 32-bit integer mixer
 * (`lowbias32`, Chris Wellons) keyed by the seed and the tensor's name, and `table` holds the bf16
 * bits of mean + std * Phi^-1((k + 0.5) / 65536) for k = 0..65535 (inverse-transform sampling; 65536
 * levels are finer than bfloat16's 8-bit mantissa, tails end at 4.3 std). No state is carried between
 * elements, so any range of a tensor can be generated on its own and the same (seed, name) always
 * gives the same bytes, in any chunking, on any machine.
 */
export function hash32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/** Two independent 32-bit keys from the seed and a tensor name (FNV-1a over the name's UTF-16 units). */
export function tensorKeys(seed: number, name: string): [number, number] {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  const k1 = hash32((h ^ hash32(seed >>> 0)) >>> 0);
  const k2 = hash32((k1 + 0x9e3779b9) >>> 0);
  return [k1, k2];
}

const tables = new Map<string, Uint16Array>();

/** bf16 bits of mean + std * (normal quantiles at 65536 evenly spaced probabilities). */
export function normalBf16Table(mean: number, std: number): Uint16Array {
  const id = `${mean}/${std}`;
  let table = tables.get(id);
  if (table === undefined) {
    table = new Uint16Array(65536);
    for (let k = 0; k < 65536; k++)
      table[k] = float32ToBfloat16Bits(mean + std * normalQuantile((k + 0.5) / 65536));
    tables.set(id, table);
  }
  return table;
}

/** Fills `out` with elements [start, start + out.length) of the tensor keyed by `keys`. */
export function fillNormalBf16(
  out: Uint16Array,
  table: Uint16Array,
  keys: readonly [number, number],
  start: number,
) {
  const [k1, k2] = keys;
  for (let i = 0; i < out.length; i++) {
    const h = hash32((hash32(((start + i) ^ k1) >>> 0) + k2) >>> 0);
    out[i] = table[h >>> 16]!;
  }
}
