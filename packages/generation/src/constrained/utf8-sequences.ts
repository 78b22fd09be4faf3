import type { CodePointRange } from './pattern.js';

/** One UTF-8 byte range per byte of the encoding: [[lo0, hi0], [lo1, hi1], ...]. */
export type ByteSequence = readonly (readonly [number, number])[];

const SURROGATES: CodePointRange = [0xd800, 0xdfff];

/**
 * The byte-range sequences whose concatenations are exactly the UTF-8 encodings of the code points
 * in [lo, hi] (surrogates left out: they have no UTF-8 encoding). The classic split: first by encoded
 * length, then until each continuation byte spans a full or aligned range.
 */
export function utf8Sequences(lo: number, hi: number): ByteSequence[] {
  const out: ByteSequence[] = [];
  if (lo <= SURROGATES[1] && hi >= SURROGATES[0]) {
    if (lo < SURROGATES[0]) split(lo, SURROGATES[0] - 1, out);
    if (hi > SURROGATES[1]) split(SURROGATES[1] + 1, hi, out);
  } else split(lo, hi, out);
  return out;
}

const LENGTH_LIMITS = [0x7f, 0x7ff, 0xffff];

function split(lo: number, hi: number, out: ByteSequence[]): void {
  for (const limit of LENGTH_LIMITS) {
    if (lo <= limit && hi > limit) {
      split(lo, limit, out);
      split(limit + 1, hi, out);
      return;
    }
  }
  if (hi <= 0x7f) {
    out.push([[lo, hi]]);
    return;
  }
  for (let i = 1; i < 4; i++) {
    const mask = (1 << (6 * i)) - 1;
    if ((lo & ~mask) !== (hi & ~mask)) {
      if ((lo & mask) !== 0) {
        split(lo, lo | mask, out);
        split((lo | mask) + 1, hi, out);
        return;
      }
      if ((hi & mask) !== mask) {
        split(lo, (hi & ~mask) - 1, out);
        split(hi & ~mask, hi, out);
        return;
      }
    }
  }
  const a = encode(lo);
  const b = encode(hi);
  out.push(a.map((byte, i) => [byte, b[i] as number] as const));
}

function encode(cp: number): number[] {
  if (cp < 0x80) return [cp];
  if (cp < 0x800) return [0xc0 | (cp >> 6), 0x80 | (cp & 0x3f)];
  if (cp < 0x10000) return [0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f)];
  return [0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f)];
}
