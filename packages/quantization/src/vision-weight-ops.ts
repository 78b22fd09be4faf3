import type { WeightOps } from '@gemma3/text-model';
import { FP32_WEIGHT_OPS } from '@gemma3/text-model';
import { dequantizeChannels, quantizeBlocks, quantizeChannelsInt8, relativeError } from './block-quantize.js';
import type { QuantizationOptions, QuantizationSpec } from './options.js';
import { createQuantizedWeightOps } from './quantized-weight-ops.js';
import {
  type ResolvedVisionModule,
  type ResolvedVisionQuantization,
  resolveVisionQuantization,
} from './vision-options.js';

type LinearOp = WeightOps['linear'];

/**
 * The vision graph's weight ops (structurally @gemma3/multimodal-model's `VisionWeightOps`, which this
 * package does not import): the SigLIP linear layers and the projector matrix, each float32,
 * MatMulNBits or DynamicQuantizeMatMul.
 */
export interface QuantizedVisionWeightOps {
  /** e.g. `vision=dqmm8;projector=fp32`; `fp32` when nothing is quantized. */
  readonly cacheKey: string;
  readonly resolved: ResolvedVisionQuantization;
  visionLinear: LinearOp;
  projector: LinearOp;
}

function specTag(spec: QuantizationSpec): string {
  return `q${spec.bits}b${spec.blockSize}${spec.symmetric ? 's' : 'a'}l${spec.accuracyLevel}`;
}

function moduleTag(module: ResolvedVisionModule): string {
  if (module === undefined) return 'fp32';
  return module.kernel === 'DynamicQuantizeMatMul' ? 'dqmm8' : specTag(module.spec);
}

/**
 * The linear op of one module, from the text decoder's quantized ops (the same streaming quantizer,
 * layout and node kinds): MatMulNBits with the module's spec, or DynamicQuantizeMatMul.
 */
function linearOf(module: ResolvedVisionModule): LinearOp {
  if (module === undefined) return FP32_WEIGHT_OPS.linear;
  const ops =
    module.kernel === 'DynamicQuantizeMatMul'
      ? createQuantizedWeightOps({ dtype: 'q8', linearKernel: 'DynamicQuantizeMatMul' })
      : createQuantizedWeightOps({
          dtype: module.spec.bits === 4 ? 'q4' : 'q8',
          quantization: module.spec,
        });
  return (g, weights, x, tensorName, outFeatures, inFeatures) =>
    ops.linear(g, weights, x, tensorName, outFeatures, inFeatures);
}

/**
 * Weight ops for @gemma3/multimodal-model's vision graph from the same options as
 * `createQuantizedWeightOps` (`dtype`, `modules.visionTower`, `modules.projector`): pass the result as
 * `visionWeightOps` to `Gemma3ForConditionalGeneration.fromPretrained` (or `weightOps` of
 * `loadVisionEncoder`). Defaults per dtype: `VISION_DEFAULTS`.
 */
export function createVisionWeightOps(options: QuantizationOptions): QuantizedVisionWeightOps {
  const resolved = resolveVisionQuantization(options);
  const cacheKey =
    resolved.visionTower === undefined && resolved.projector === undefined
      ? 'fp32'
      : `vision=${moduleTag(resolved.visionTower)};projector=${moduleTag(resolved.projector)}`;
  return {
    cacheKey,
    resolved,
    visionLinear: linearOf(resolved.visionTower),
    projector: linearOf(resolved.projector),
  };
}

/**
 * ||W - deq(W)|| / ||W|| of a Linear weight [rows = out, cols = in] built as `module` (0 for float32):
 * the weight rounding alone, as the vision accuracy report gives it.
 */
export function visionReconstructionError(
  values: Float32Array,
  rows: number,
  cols: number,
  module: ResolvedVisionModule,
): number {
  if (module === undefined) return 0;
  if (module.kernel === 'MatMulNBits') {
    return relativeError(values, quantizeBlocks(values, rows, cols, module.spec));
  }
  const deq = dequantizeChannels(quantizeChannelsInt8(values, rows, cols));
  let num = 0;
  let den = 0;
  for (let i = 0; i < values.length; i++) {
    const d = values[i]! - deq[i]!;
    num += d * d;
    den += values[i]! * values[i]!;
  }
  return den === 0 ? 0 : Math.sqrt(num / den);
}
