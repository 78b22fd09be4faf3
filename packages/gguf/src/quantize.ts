import { float32ToFloat16Bits } from '@gemma3/weights';

/**
 * ggml reference quantizers (quantize_row_q8_0_ref / quantize_row_q4_0_ref in ggml-quants.c),
 * row-major input whose length is a multiple of 32; blocks are written little-endian.
 */
export const QK = 32;

const f16Bits = float32ToFloat16Bits;

/** Q8_0: per block d = max|x| / 127, q = round(x / d) (round half away from zero, as roundf). */
export function quantizeQ8_0(x: Float32Array, out = new Uint8Array((x.length / QK) * 34)): Uint8Array {
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const blocks = x.length / QK;
  for (let b = 0; b < blocks; b++) {
    const base = b * QK;
    let amax = 0;
    for (let j = 0; j < QK; j++) amax = Math.max(amax, Math.abs(x[base + j] as number));
    const d = Math.fround(amax / 127);
    const id = d !== 0 ? Math.fround(1 / d) : 0;
    const o = b * 34;
    view.setUint16(o, f16Bits(d), true);
    for (let j = 0; j < QK; j++) {
      const v = Math.fround((x[base + j] as number) * id);
      const q = v < 0 ? -Math.round(-v) : Math.round(v); // roundf: half away from zero
      out[o + 2 + j] = q & 0xff; // int8, two's complement
    }
  }
  return out;
}

/**
 * Q4_0: per block the value of largest magnitude `max` (with its sign) gives d = max / -8, so that
 * value maps to q = 0 exactly; q = min(15, trunc(x / d + 8.5)), element j in the low nibble of byte j,
 * element j + 16 in its high nibble. Dequantized value = (q - 8) * d.
 */
export function quantizeQ4_0(x: Float32Array, out = new Uint8Array((x.length / QK) * 18)): Uint8Array {
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const blocks = x.length / QK;
  for (let b = 0; b < blocks; b++) {
    const base = b * QK;
    let amax = 0;
    let max = 0;
    for (let j = 0; j < QK; j++) {
      const v = x[base + j] as number;
      if (amax < Math.abs(v)) {
        amax = Math.abs(v);
        max = v;
      }
    }
    const d = Math.fround(max / -8);
    const id = d !== 0 ? Math.fround(1 / d) : 0;
    const o = b * 18;
    view.setUint16(o, f16Bits(d), true);
    for (let j = 0; j < QK / 2; j++) {
      const x0 = Math.fround((x[base + j] as number) * id);
      const x1 = Math.fround((x[base + QK / 2 + j] as number) * id);
      const q0 = Math.min(15, Math.trunc(Math.fround(x0 + 8.5)));
      const q1 = Math.min(15, Math.trunc(Math.fround(x1 + 8.5)));
      out[o + 2 + j] = q0 | (q1 << 4);
    }
  }
  return out;
}

/** Inverse of quantizeQ8_0 (for tests and error reports). */
export function dequantizeQ8_0(data: Uint8Array, elements: number): Float32Array {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const out = new Float32Array(elements);
  for (let b = 0; b < elements / QK; b++) {
    const d = halfToFloat(view.getUint16(b * 34, true));
    for (let j = 0; j < QK; j++) out[b * QK + j] = view.getInt8(b * 34 + 2 + j) * d;
  }
  return out;
}

/** Inverse of quantizeQ4_0. */
export function dequantizeQ4_0(data: Uint8Array, elements: number): Float32Array {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const out = new Float32Array(elements);
  for (let b = 0; b < elements / QK; b++) {
    const d = halfToFloat(view.getUint16(b * 18, true));
    for (let j = 0; j < QK / 2; j++) {
      const byte = data[b * 18 + 2 + j] as number;
      out[b * QK + j] = ((byte & 0x0f) - 8) * d;
      out[b * QK + QK / 2 + j] = ((byte >> 4) - 8) * d;
    }
  }
  return out;
}

function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >> 10) & 0x1f;
  const frac = bits & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}
