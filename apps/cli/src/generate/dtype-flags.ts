// Types only: `run` reads these flags before it imports the pipeline (its first line comes sooner).
import type { PipelineOptions } from '@gemma3/pipeline';
import type { CommandOptions } from '../command.js';
import { UsageError } from '../errors/usage-error.js';

type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

/** `--dtype` and `--block-size`: the text decoder's weight precision (shared by run, chat, demo, convert, bench). */
export const DTYPE_OPTIONS: CommandOptions = {
  dtype: { type: 'string' },
  'block-size': { type: 'string' },
  prefill: { type: 'string' },
};

export const DTYPE_HELP = `  --dtype D            weight precision: q8 (default: int8 per channel, MatMulInteger; near
                       fp32's accuracy at ~2x its decode speed), fp32 (the checkpoint's weights as
                       float32; float32 also accepted) or q4 (int4 blocks, MatMulNBits); with q8/q4
                       the vision tower's linear layers run int8 (DynamicQuantizeMatMul), the
                       projector fp32. Each dtype is built once into the graph cache; the one that
                       runs is printed with the timings.
  --block-size N       quantization block size for q8/q4: 16, 32 (default), 64, 128 or 256
  --prefill P          q8/q4: int8 (default: prompts run on a second, int8 DynamicQuantizeMatMul graph,
                       2-3x faster prefill, more memory) or same (one graph for prompts and decoding)`;

export const DTYPES = ['fp32', 'float32', 'q8', 'q4'] as const;
export const BLOCK_SIZES = [16, 32, 64, 128, 256] as const;

/**
 * The pipeline's dtype / quantization options from the flags (only those given), checked here without
 * importing the pipeline: every combination this accepts passes the pipeline's own check
 * (quantizationOptionsOf; dtype-flags.test.ts tries them all).
 */
export function dtypeOptions(
  values: Values,
  command: string,
): Pick<PipelineOptions, 'dtype' | 'quantization' | 'prefill'> {
  const dtype = values.dtype;
  if (dtype !== undefined && !DTYPES.includes(dtype as never)) {
    throw new UsageError(`--dtype must be one of fp32, q8, q4 (or float32), got "${String(dtype)}"`, command);
  }
  const rawBlock = values['block-size'];
  let blockSize: (typeof BLOCK_SIZES)[number] | undefined;
  if (rawBlock !== undefined) {
    const n = typeof rawBlock === 'string' ? Number(rawBlock) : Number.NaN;
    if (!BLOCK_SIZES.includes(n as never)) {
      throw new UsageError(
        `--block-size must be one of ${BLOCK_SIZES.join(', ')}, got "${String(rawBlock)}"`,
        command,
      );
    }
    if (dtype !== 'q8' && dtype !== 'q4') {
      throw new UsageError('--block-size needs --dtype q8 or q4', command);
    }
    blockSize = n as (typeof BLOCK_SIZES)[number];
  }
  const prefill = values.prefill;
  if (prefill !== undefined) {
    if (prefill !== 'int8' && prefill !== 'same') {
      throw new UsageError(`--prefill must be int8 or same, got "${String(prefill)}"`, command);
    }
    if (dtype !== 'q8' && dtype !== 'q4') throw new UsageError('--prefill needs --dtype q8 or q4', command);
  }
  return {
    ...(dtype === undefined ? {} : { dtype: dtype as (typeof DTYPES)[number] }),
    ...(blockSize === undefined ? {} : { quantization: { blockSize } }),
    ...(prefill === undefined ? {} : { prefill }),
  };
}
