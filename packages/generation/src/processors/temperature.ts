/** Temperature warper: scores / temperature (temperature > 0; 1 is a no-op). In place on one row [V]. */
export function applyTemperature(scores: Float32Array, temperature: number): void {
  if (temperature === 1) return;
  for (let i = 0; i < scores.length; i++) scores[i] = (scores[i] as number) / temperature;
}
