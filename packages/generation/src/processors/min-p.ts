/**
 * Min-p warper (https://arxiv.org/abs/2407.01082), as transformers' MinPLogitsWarper: remove
 * (-Infinity) every token whose probability is below minP x the top token's probability. The ratio
 * p_i / p_max = exp(s_i - s_max) needs no normalisation. minP = 0 keeps everything; the top token
 * always stays. In place on one row [V].
 */
export function applyMinP(scores: Float32Array, minP: number): void {
  if (minP <= 0) return;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < scores.length; i++) if ((scores[i] as number) > max) max = scores[i] as number;
  if (max === Number.NEGATIVE_INFINITY) return;
  for (let i = 0; i < scores.length; i++) {
    if (Math.exp((scores[i] as number) - max) < minP) scores[i] = Number.NEGATIVE_INFINITY;
  }
}
