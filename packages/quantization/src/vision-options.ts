import { QuantizationOptionsError } from './errors/quantization-options-error.js';
import {
  DTYPE_DEFAULTS,
  mergeModuleSpec,
  type QuantizationOptions,
  type QuantizationSpec,
  resolveQuantization,
} from './options.js';

/**
 * The kernel of a quantized vision module: `MatMulNBits` (blocks of `blockSize`, bits 4 or 8) or
 * `DynamicQuantizeMatMul` (int8 weights per output channel, activations quantized to uint8 per tensor
 * at run time; 8-bit only).
 */
export type VisionKernel = 'MatMulNBits' | 'DynamicQuantizeMatMul';

/** What a vision module is built as: float32, or quantized (missing fields from its default). */
export type VisionModuleQuantization = 'fp32' | (Partial<QuantizationSpec> & { kernel?: VisionKernel });

/** A resolved vision module: undefined is float32. */
export type ResolvedVisionModule =
  | { kernel: 'MatMulNBits'; spec: QuantizationSpec }
  | { kernel: 'DynamicQuantizeMatMul' }
  | undefined;

export interface ResolvedVisionQuantization {
  visionTower: ResolvedVisionModule;
  projector: ResolvedVisionModule;
}

/**
 * Defaults of the vision modules per dtype. `undefined`: float32. Measured on the 4b vision tower
 * (27 layers, 4096 patches x 1152; @gemma3/multimodal-model README): the vision MatMuls have M = 4096
 * rows per image, where int8 DynamicQuantizeMatMul (u8 x s8 GEMM) encodes an image several times faster
 * than float32 MatMul and 3-6x faster than MatMulNBits (4- or 8-bit, accuracy level 4, which is
 * compute-bound at this M), with image features at cosine 0.9998 of fp32's (q4 blocks: 0.97-0.98).
 * The projector (one [256, 1152] x [1152, Ht] product per image, <0.1% of the work) stays float32: on
 * tiny-vlm quantizing it doubled the feature error for no measurable speed.
 */
export const VISION_DEFAULTS: Readonly<
  Record<'fp32' | 'q8' | 'q4', { visionTower: ResolvedVisionModule; projector: ResolvedVisionModule }>
> = {
  fp32: { visionTower: undefined, projector: undefined },
  q8: { visionTower: { kernel: 'DynamicQuantizeMatMul' }, projector: undefined },
  q4: { visionTower: { kernel: 'DynamicQuantizeMatMul' }, projector: undefined },
};

function resolveModule(
  base: ResolvedVisionModule,
  override: VisionModuleQuantization | undefined,
  where: string,
): ResolvedVisionModule {
  if (override === undefined) return base;
  if (override === 'fp32') return undefined;
  if (typeof override !== 'object' || override === null) {
    throw new QuantizationOptionsError(where, `must be 'fp32' or a quantization object`);
  }
  const { kernel, ...spec } = override;
  const chosen = kernel ?? base?.kernel ?? 'MatMulNBits';
  if (chosen === 'DynamicQuantizeMatMul') {
    for (const key of Object.keys(spec)) {
      if (key !== 'bits') {
        throw new QuantizationOptionsError(
          `${where}.${key}`,
          'has no effect with kernel DynamicQuantizeMatMul (int8 per output channel)',
        );
      }
    }
    if (spec.bits !== undefined && spec.bits !== 8) {
      throw new QuantizationOptionsError(`${where}.bits`, 'DynamicQuantizeMatMul is 8-bit only');
    }
    return { kernel: 'DynamicQuantizeMatMul' };
  }
  if (chosen !== 'MatMulNBits') {
    throw new QuantizationOptionsError(
      `${where}.kernel`,
      `must be 'MatMulNBits' or 'DynamicQuantizeMatMul', got ${String(chosen)}`,
    );
  }
  const from = base?.kernel === 'MatMulNBits' ? base.spec : DTYPE_DEFAULTS.q8;
  return { kernel: 'MatMulNBits', spec: mergeModuleSpec(from, spec, where)! };
}

/**
 * What the vision tower and projector are built as: the dtype's `VISION_DEFAULTS`, then
 * `modules.visionTower` / `modules.projector` (a partial spec merges over the default when that is a
 * MatMulNBits spec, else over q8's blocks). The text options are checked too.
 */
export function resolveVisionQuantization(options: QuantizationOptions): ResolvedVisionQuantization {
  const { dtype } = resolveQuantization(options);
  const defaults = VISION_DEFAULTS[dtype];
  return {
    visionTower: resolveModule(defaults.visionTower, options.modules?.visionTower, 'modules.visionTower'),
    projector: resolveModule(defaults.projector, options.modules?.projector, 'modules.projector'),
  };
}
