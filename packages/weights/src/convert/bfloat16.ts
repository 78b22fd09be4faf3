// bfloat16 is the top half of an IEEE binary32: 1 sign bit, 8 exponent bits, 7 mantissa bits.

const scratch = new Float32Array(1);
const scratchBits = new Uint32Array(scratch.buffer);

/**
 * Rounds one float32 to bfloat16 bits with round-to-nearest-even, as torch does
 * (`c10::BFloat16` round_to_nearest_even). NaN stays NaN (quiet, sign kept); values that round past
 * the largest finite bfloat16 become +/-Infinity.
 */
export function float32ToBfloat16Bits(value: number): number {
  scratch[0] = value;
  const bits = scratchBits[0]!;
  if ((bits & 0x7f800000) === 0x7f800000 && (bits & 0x007fffff) !== 0) {
    return ((bits >>> 16) | 0x0040) & 0xffff; // NaN: keep sign and top payload bits, force quiet bit
  }
  const roundingBias = 0x7fff + ((bits >>> 16) & 1);
  return ((bits + roundingBias) >>> 16) & 0xffff;
}

/** Converts float32 values to bfloat16 bits (round-to-nearest-even). */
export function float32ToBfloat16(values: Float32Array | readonly number[]): Uint16Array {
  const source = values instanceof Float32Array ? values : Float32Array.from(values);
  const out = new Uint16Array(source.length);
  const bits = new Uint32Array(source.buffer, source.byteOffset, source.length);
  if (source.byteOffset % 4 !== 0) return float32ToBfloat16Slow(source, out);
  for (let i = 0; i < bits.length; i++) {
    const b = bits[i]!;
    if ((b & 0x7f800000) === 0x7f800000 && (b & 0x007fffff) !== 0) {
      out[i] = (b >>> 16) | 0x0040;
    } else {
      out[i] = (b + 0x7fff + ((b >>> 16) & 1)) >>> 16;
    }
  }
  return out;
}

function float32ToBfloat16Slow(source: Float32Array, out: Uint16Array): Uint16Array {
  for (let i = 0; i < source.length; i++) out[i] = float32ToBfloat16Bits(source[i]!);
  return out;
}

/** Exact bfloat16 -> float32 (every bfloat16 is a float32). */
export function bfloat16ToFloat32(bits: Uint16Array): Float32Array {
  const out = new Float32Array(bits.length);
  const outBits = new Uint32Array(out.buffer);
  for (let i = 0; i < bits.length; i++) outBits[i] = bits[i]! << 16;
  return out;
}

/** One bfloat16 bit pattern as a number. */
export function bfloat16BitsToFloat32(bits: number): number {
  scratchBits[0] = (bits & 0xffff) << 16;
  return scratch[0]!;
}
