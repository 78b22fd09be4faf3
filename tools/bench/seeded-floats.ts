/** `n` floats in [-scale, scale) from a xorshift32 seeded with `seed` (non-zero): bench inputs and weights. */
export function seededFloats(n: number, seed: number, scale = 1): Float32Array {
  const out = new Float32Array(n);
  let s = seed | 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = (((s >>> 0) / 0xffffffff) * 2 - 1) * scale;
  }
  return out;
}
