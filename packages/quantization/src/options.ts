import { type BlockQuantSpec, checkSpec } from './block-quantize.js';
import { QuantizationOptionsError } from './errors/quantization-options-error.js';
import type { VisionModuleQuantization } from './vision-options.js';

export type Dtype = 'fp32' | 'q8' | 'q4';

/** How 8-bit linear layers run (`QuantizationOptions.linearKernel`). */
export type LinearKernel = 'MatMulNBits' | 'DynamicQuantizeMatMul' | 'MatMulInteger';
export const LINEAR_KERNELS: readonly LinearKernel[] = [
  'MatMulNBits',
  'DynamicQuantizeMatMul',
  'MatMulInteger',
];

export interface QuantizationSpec extends BlockQuantSpec {
  /**
   * MatMulNBits `accuracy_level`: 0 unset, 1 fp32, 2 fp16, 3 bf16, 4 int8 compute (activations
   * quantized per block to int8 on CPU: the fast path). Default 4.
   */
  accuracyLevel: 0 | 1 | 2 | 3 | 4;
}

/** What a module is built as: float32, or quantized with a spec (missing fields from the dtype). */
export type ModuleQuantization = 'fp32' | Partial<QuantizationSpec>;

export interface QuantizationOptions {
  /** `fp32` (no quantization), `q8` (8-bit blocks) or `q4` (4-bit blocks). */
  dtype: Dtype;
  /** Overrides of the dtype's defaults, for every linear layer (and embedding / LM head unless overridden). */
  quantization?: Partial<QuantizationSpec>;
  /**
   * The kernel of the 8-bit linear layers: `MatMulNBits` (default: block-wise, as q4),
   * `DynamicQuantizeMatMul` (int8 per output channel, activations quantized to uint8 per tensor: a
   * row's result depends on the other rows of the run; prefills 3-4x faster than MatMulNBits) or
   * `MatMulInteger` (int8 per output channel, activations quantized to int8 per row, symmetric: as
   * fast, and a row's result never depends on what runs beside it, so batches, chunked prompts and
   * reused prefixes stay exact; the LM head runs the same way, from a table of its own). Embedding
   * keeps MatMulNBits blocks.
   */
  linearKernel?: LinearKernel;
  /** Per-module overrides. */
  modules?: {
    /** The token embedding (a GatherBlockQuantized over the same blocks as the tied LM head). */
    embedding?: ModuleQuantization;
    /** The LM head (the tied embedding, or lm_head.weight). */
    lmHead?: ModuleQuantization;
    /**
     * The SigLIP vision tower's linear layers (multimodal models; `createVisionWeightOps`). Default per
     * dtype: `VISION_DEFAULTS` (vision-options.ts).
     */
    visionTower?: VisionModuleQuantization;
    /** The multimodal projector's matrix (`createVisionWeightOps`). Default float32. */
    projector?: VisionModuleQuantization;
  };
}

/** Defaults per dtype: blocks of 32 like llama.cpp's Q4_0 / Q8_0, symmetric, int8 compute. */
export const DTYPE_DEFAULTS: Readonly<Record<'q8' | 'q4', QuantizationSpec>> = {
  q8: { bits: 8, blockSize: 32, symmetric: true, accuracyLevel: 4 },
  q4: { bits: 4, blockSize: 32, symmetric: true, accuracyLevel: 4 },
};

export interface ResolvedQuantization {
  dtype: Dtype;
  /** undefined: float32. */
  linear: QuantizationSpec | undefined;
  linearKernel: LinearKernel;
  embedding: QuantizationSpec | undefined;
  lmHead: QuantizationSpec | undefined;
}

const KEYS = new Set(['bits', 'blockSize', 'symmetric', 'accuracyLevel']);

/** `override` over `base` (undefined: float32), checked; `where` names the option in errors. */
export function mergeModuleSpec(
  base: QuantizationSpec | undefined,
  override: ModuleQuantization | undefined,
  where: string,
): QuantizationSpec | undefined {
  if (override === 'fp32') return undefined;
  if (override === undefined) return base;
  if (typeof override !== 'object' || override === null) {
    throw new QuantizationOptionsError(where, `must be 'fp32' or a quantization object`);
  }
  for (const key of Object.keys(override)) {
    if (!KEYS.has(key)) throw new QuantizationOptionsError(`${where}.${key}`, 'unknown option');
  }
  const spec: QuantizationSpec = { ...(base ?? DTYPE_DEFAULTS.q8), ...override };
  checkSpec(spec, where);
  if (![0, 1, 2, 3, 4].includes(spec.accuracyLevel)) {
    throw new QuantizationOptionsError(
      `${where}.accuracyLevel`,
      `must be 0..4, got ${String(spec.accuracyLevel)}`,
    );
  }
  return spec;
}

/** Checks the options and works out what each module is built as. */
export function resolveQuantization(options: QuantizationOptions): ResolvedQuantization {
  const { dtype } = options;
  if (dtype !== 'fp32' && dtype !== 'q8' && dtype !== 'q4') {
    throw new QuantizationOptionsError('dtype', `must be 'fp32', 'q8' or 'q4', got ${String(dtype)}`);
  }
  for (const key of Object.keys(options.modules ?? {})) {
    if (!['embedding', 'lmHead', 'visionTower', 'projector'].includes(key)) {
      throw new QuantizationOptionsError(
        `modules.${key}`,
        'unknown module (known: embedding, lmHead, visionTower, projector)',
      );
    }
  }
  if (dtype === 'fp32') {
    if (options.quantization !== undefined) {
      throw new QuantizationOptionsError('quantization', "has no effect with dtype 'fp32'");
    }
    if (options.linearKernel !== undefined) {
      throw new QuantizationOptionsError('linearKernel', "has no effect with dtype 'fp32'");
    }
    return {
      dtype,
      linear: undefined,
      linearKernel: 'MatMulNBits',
      embedding: mergeModuleSpec(undefined, options.modules?.embedding, 'modules.embedding'),
      lmHead: mergeModuleSpec(undefined, options.modules?.lmHead, 'modules.lmHead'),
    };
  }
  const linear = mergeModuleSpec(DTYPE_DEFAULTS[dtype], options.quantization ?? {}, 'quantization');
  const linearKernel = options.linearKernel ?? 'MatMulNBits';
  if (!LINEAR_KERNELS.includes(linearKernel)) {
    throw new QuantizationOptionsError(
      'linearKernel',
      `must be one of ${LINEAR_KERNELS.join(', ')}, got ${String(linearKernel)}`,
    );
  }
  if (linearKernel !== 'MatMulNBits' && linear?.bits !== 8) {
    throw new QuantizationOptionsError('linearKernel', `${linearKernel} needs 8-bit linear layers (q8)`);
  }
  return {
    dtype,
    linear,
    linearKernel,
    embedding: mergeModuleSpec(linear, options.modules?.embedding, 'modules.embedding'),
    lmHead: mergeModuleSpec(linear, options.modules?.lmHead, 'modules.lmHead'),
  };
}
