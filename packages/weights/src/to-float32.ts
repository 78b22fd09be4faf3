import { float16Table } from './convert/float16.js';

/**
 * Widens the 16-bit values `from` to `to` (exclusive), stored in the upper half of `out`'s buffer
 * (value i at byte 2n + 2i), into float32 elements `from` to `to` in place, front to back: writing
 * element i (bytes [4i, 4i + 4)) never reaches a source value not yet converted (from byte 2n + 2i + 2
 * on), because 4i + 4 <= 2n + 2i + 2 whenever i <= n - 1. Ranges may be converted in order while
 * later source ranges are still being read in: element `to - 1` ends at byte 4 * to <= 2n + 2 * to.
 * So a 16-bit tensor becomes float32 with one allocation and no copy.
 */
export function widenUpperHalfInPlace(
  out: Float32Array,
  dtype: 'BF16' | 'F16',
  from = 0,
  to = out.length,
): void {
  const n = out.length;
  const bits = new Uint32Array(out.buffer, out.byteOffset, n);
  if (dtype === 'BF16' && n % 2 === 0 && from % 2 === 0 && to % 2 === 0) {
    // Two bf16 per 32-bit load (little-endian: the first value is the low half). Writing pair k
    // (bytes [8k, 8k + 8)) stays below the next unread word (from 2n + 4k + 4) as 4k + 4 <= 2n.
    const pairs = new Uint32Array(out.buffer, out.byteOffset + 2 * n, n / 2);
    for (let k = from / 2; k < to / 2; k++) {
      const word = pairs[k]!;
      bits[2 * k] = word << 16;
      bits[2 * k + 1] = word & 0xffff0000;
    }
    return;
  }
  const source = new Uint16Array(out.buffer, out.byteOffset + 2 * n, n);
  if (dtype === 'BF16') {
    for (let i = from; i < to; i++) bits[i] = source[i]! << 16;
  } else {
    const table = float16Table();
    for (let i = from; i < to; i++) out[i] = table[source[i]!]!;
  }
}

/** Elements per read-then-widen step (even, so bf16 can go two at a time). */
export const WIDEN_CHUNK_ELEMENTS = 8 * 1024 * 1024;

/**
 * Fills `out` from a 16-bit tensor: `readInto(target, firstElement)` must fill `target` with the
 * stored bytes of elements firstElement... (little-endian). Chunk k is widened while chunk k + 1 is
 * being read, both in `out`'s own buffer (see widenUpperHalfInPlace).
 */
export async function readWidened(
  out: Float32Array,
  dtype: 'BF16' | 'F16',
  readInto: (target: Uint8Array, firstElement: number) => Promise<void>,
  chunkElements = WIDEN_CHUNK_ELEMENTS,
): Promise<Float32Array> {
  const n = out.length;
  const upperHalf = new Uint8Array(out.buffer, out.byteOffset + 2 * n, 2 * n);
  const readRange = (from: number, to: number) => readInto(upperHalf.subarray(2 * from, 2 * to), from);
  let pending = readRange(0, Math.min(chunkElements, n));
  for (let from = 0; from < n; from += chunkElements) {
    const to = Math.min(from + chunkElements, n);
    await pending;
    if (to < n) pending = readRange(to, Math.min(to + chunkElements, n));
    widenUpperHalfInPlace(out, dtype, from, to);
  }
  return out;
}

/** float64 -> float32 (rounded to nearest). */
export function float64ToFloat32(bytes: Uint8Array): Float32Array {
  const source = new Float64Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 8);
  return Float32Array.from(source);
}
