import { float16Table } from './convert/float16.js';

/**
 * Widens `count` 16-bit values stored in the upper half of `out`'s buffer (bytes [2n, 4n)) into
 * float32 in place, front to back: writing element i (bytes [4i, 4i + 4)) never reaches an unread
 * source element (bytes from 2n + 2i + 2 on), because 4i + 4 <= 2n + 2i + 2 whenever i <= n - 1.
 * So a 16-bit tensor becomes float32 with one allocation and no copy.
 */
export function widenUpperHalfInPlace(out: Float32Array, dtype: 'BF16' | 'F16'): void {
  const n = out.length;
  const bits = new Uint32Array(out.buffer, out.byteOffset, n);
  if (dtype === 'BF16' && n % 2 === 0) {
    // Two bf16 per 32-bit load (little-endian: the first value is the low half). Writing pair k
    // (bytes [8k, 8k + 8)) stays below the next unread word (from 2n + 4k + 4) as 4k + 4 <= 2n.
    const pairs = new Uint32Array(out.buffer, out.byteOffset + 2 * n, n / 2);
    for (let k = 0; k < pairs.length; k++) {
      const word = pairs[k]!;
      bits[2 * k] = word << 16;
      bits[2 * k + 1] = word & 0xffff0000;
    }
    return;
  }
  const source = new Uint16Array(out.buffer, out.byteOffset + 2 * n, n);
  if (dtype === 'BF16') {
    for (let i = 0; i < n; i++) bits[i] = source[i]! << 16;
  } else {
    const table = float16Table();
    for (let i = 0; i < n; i++) out[i] = table[source[i]!]!;
  }
}

/** float64 -> float32 (rounded to nearest). */
export function float64ToFloat32(bytes: Uint8Array): Float32Array {
  const source = new Float64Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 8);
  return Float32Array.from(source);
}
