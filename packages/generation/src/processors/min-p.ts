/**
 * Min-p warper (https://arxiv.org/abs/2407.01082), as transformers' MinPLogitsWarper: remove
 * (-Infinity) every token whose probability is below minP x the top token's probability. The ratio
 * p_i / p_max = exp(s_i - s_max) needs no normalisation, and comparing scores with s_max + ln(minP)
 * needs no exp either (equal to the reference's float32 comparison but within rounding at the boundary). minP = 0 keeps everything; the top token
 * always stays. In place on one row [V].
 */
export function applyMinP(scores: Float32Array, minP: number): void {
  if (minP <= 0) return;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < scores.length; i++) if ((scores[i] as number) > max) max = scores[i] as number;
  if (max === Number.NEGATIVE_INFINITY) return;
  const floor = max + Math.log(minP); // p_i < minP * p_max  <=>  s_i < s_max + ln(minP)
  for (let i = 0; i < scores.length; i++)
    if ((scores[i] as number) < floor) scores[i] = Number.NEGATIVE_INFINITY;
}
