// IEEE binary16: 1 sign bit, 5 exponent bits (bias 15), 10 mantissa bits.

let table: Float32Array | undefined;

/** float32 value of every float16 bit pattern (256 KiB, built on first use). */
export function float16Table(): Float32Array {
  if (table === undefined) {
    table = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) table[h] = float16BitsToFloat32(h);
  }
  return table;
}

/** One float16 bit pattern as a number (exact). */
export function float16BitsToFloat32(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >>> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24; // zero and subnormals
  if (exponent === 0x1f) return mantissa === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

/** Exact float16 -> float32 through the lookup table. */
export function float16ToFloat32(bits: Uint16Array): Float32Array {
  const lookup = float16Table();
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = lookup[bits[i]!]!;
  return out;
}

const scratch = new Float32Array(1);
const scratchBits = new Uint32Array(scratch.buffer);

/**
 * Rounds one float32 to float16 bits with round-to-nearest-even (as torch's `c10::Half` does):
 * overflow gives +/-Infinity, tiny values become subnormals or signed zero, NaN stays NaN.
 */
export function float32ToFloat16Bits(value: number): number {
  scratch[0] = value;
  const bits = scratchBits[0]!;
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  const mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa !== 0 ? 0x200 | (mantissa >>> 13) : 0);
  const unbiased = exponent - 127;
  if (unbiased > 15) return sign | 0x7c00; // beyond the float16 range before rounding
  if (unbiased >= -14) {
    // Normal float16: keep 10 mantissa bits, round the dropped 13 to nearest even. A carry out of the
    // mantissa correctly bumps the exponent (and 0x7bff + carry becomes Infinity, 0x7c00).
    const half = ((unbiased + 15) << 10) | (mantissa >>> 13);
    const dropped = mantissa & 0x1fff;
    const roundUp = dropped > 0x1000 || (dropped === 0x1000 && (half & 1) === 1);
    return sign | (half + (roundUp ? 1 : 0));
  }
  if (unbiased < -25) return sign; // below half of the smallest subnormal: signed zero
  // Subnormal float16: value = m * 2^-24 with the implicit leading 1 made explicit.
  const full = mantissa | 0x800000; // 24 significant bits, value = full * 2^(unbiased - 23)
  // value = full * 2^(unbiased - 23) = kept * 2^-24, so drop (-unbiased - 1) bits (14 to 24 of them).
  const shift = -unbiased - 1;
  const kept = full >>> shift;
  const remainder = full & ((1 << shift) - 1);
  const halfway = 1 << (shift - 1);
  const roundUp = remainder > halfway || (remainder === halfway && (kept & 1) === 1);
  return sign | (kept + (roundUp ? 1 : 0));
}

/** Converts float32 values to float16 bits (round-to-nearest-even). */
export function float32ToFloat16(values: Float32Array | readonly number[]): Uint16Array {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = float32ToFloat16Bits(values[i]!);
  return out;
}
