const FLOAT32_MAX = 3.4028234663852886e38;

/**
 * Temperature warper: scores / temperature (temperature > 0; 1 is a no-op). In place on one row [V].
 *
 * When the division would overflow float32 (a temperature like 1e-40), the result is the T -> 0
 * limit instead of a row of infinities: the top score(s) become 0 and the rest -Infinity.
 */
export function applyTemperature(scores: Float32Array, temperature: number): void {
  if (temperature === 1) return;
  let maxAbs = 0;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i] as number;
    if (s > max) max = s;
    if (Number.isFinite(s) && Math.abs(s) > maxAbs) maxAbs = Math.abs(s);
  }
  if (maxAbs / temperature > FLOAT32_MAX) {
    for (let i = 0; i < scores.length; i++) scores[i] = scores[i] === max ? 0 : Number.NEGATIVE_INFINITY;
    return;
  }
  for (let i = 0; i < scores.length; i++) scores[i] = (scores[i] as number) / temperature;
}
