import { linear, type WeightOps } from '@gemma3/text-model';

/**
 * A bias-free linear layer as the decoder's seam has it: x [..., in] -> [..., out] for the weight
 * `tensorName` stored [out, in] (PyTorch layout), read through the WeightSource it is given.
 */
export type VisionLinearOp = WeightOps['linear'];

/**
 * The places the vision graph touches large matrices, like @gemma3/text-model's `WeightOps` for the
 * decoder. The float32 build uses `FP32_VISION_WEIGHT_OPS`; a quantized build (e.g. @gemma3/quantization's
 * `createVisionWeightOps`) passes its own and nothing else in the graph changes. Biases are added by
 * the graph after the op.
 */
export interface VisionWeightOps {
  /**
   * Names the build in the model cache (e.g. `vision=q8b32sl4;projector=fp32`); two VisionWeightOps
   * that build different graphs must differ here. Absent: `fp32`.
   */
  readonly cacheKey?: string;
  /**
   * Every linear layer of the SigLIP encoder: q/k/v as one [3 Hv, Hv] tensor
   * (`vision.layers.{i}.attn.qkv.weight`, the three weights stacked), out_proj, fc1, fc2.
   */
  visionLinear: VisionLinearOp;
  /**
   * The projector's `mm_input_projection_weight`, offered as a linear weight [Ht, Hv]
   * (`projector.input_projection.weight`: the checkpoint's [Hv, Ht] transposed).
   */
  projector: VisionLinearOp;
}

/** MatMul over float32 weights stored transposed ([in, out]): the graph as built before the seam. */
export const FP32_VISION_WEIGHT_OPS: VisionWeightOps = {
  cacheKey: 'fp32',
  visionLinear: linear,
  projector: linear,
};

/** The cache key of a VisionWeightOps (`fp32` when it names none). */
export function visionCacheKey(ops: VisionWeightOps | undefined): string {
  return ops?.cacheKey ?? 'fp32';
}
