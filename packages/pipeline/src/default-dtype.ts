import type { PipelineDtype } from './pipeline-options.js';

/**
 * The weights pipeline() loads when `dtype` is not given: `q8` (int8 MatMulInteger linear layers and
 * LM head, activations quantized per row; a q8 embedding table; int8 vision tower), chosen by measurement
 * (packages/pipeline/bench/default-dtype.ts, figures in the README): next-token distributions within
 * KL 3e-3 nats of fp32 on the 1b random checkpoint, ~2x its decode speed in ~0.3x its memory; q4
 * diverges 26x more, so it stays an option. `dtype: 'fp32'` loads the checkpoint's weights as float32
 * (exact repetition across calls, reference parity). transformers.js folders keep the dtype they name.
 */
export const DEFAULT_DTYPE = 'q8' satisfies PipelineDtype;

/** The dtype that runs: the one given (float32 spelled fp32), else DEFAULT_DTYPE. */
export function dtypeOf(dtype: PipelineDtype | undefined): 'fp32' | 'q8' | 'q4' {
  const chosen = dtype ?? DEFAULT_DTYPE;
  return chosen === 'float32' ? 'fp32' : chosen;
}
