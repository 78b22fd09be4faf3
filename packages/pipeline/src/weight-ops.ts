import {
  createPrefillWeightOps,
  createQuantizedWeightOps,
  createVisionWeightOps,
  DTYPE_DEFAULTS,
  type ModuleQuantization,
  type QuantizationOptions,
  QuantizationOptionsError,
  type QuantizedVisionWeightOps,
  type QuantizedWeightOps,
  type VisionModuleQuantization,
} from '@gemma3/quantization';
import type { WeightOps } from '@gemma3/text-model';
import { InvalidPipelineInputError } from './errors/invalid-pipeline-input-error.js';
import {
  type LoadModelOptions,
  type ModuleDtype,
  type PipelineDtype,
  SUPPORTED_DTYPES,
} from './pipeline-options.js';

const TEXT_MODULES = ['embedding', 'lmHead'] as const;
/** `vision` is an alias of `visionTower`. */
const VISION_MODULES = ['visionTower', 'vision', 'projector'] as const;

function canonical(dtype: PipelineDtype): 'fp32' | 'q8' | 'q4' {
  return dtype === 'float32' ? 'fp32' : dtype;
}

function moduleSpec(value: ModuleDtype, where: string): ModuleQuantization | VisionModuleQuantization {
  if (value === 'fp32' || value === 'float32') return 'fp32';
  if (value === 'q8' || value === 'q4') return { ...DTYPE_DEFAULTS[value] };
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value;
  throw new InvalidPipelineInputError(
    where,
    `"${String(value)}" is not supported (expected 'fp32', 'q8', 'q4' or a quantization object)`,
  );
}

/**
 * The user's `dtype` / `quantization` / `modules` / `linearKernel` options as @gemma3/quantization's
 * `createQuantizedWeightOps` options, checked. `undefined`: a plain float32 build (no option given, or
 * fp32 without overrides). Bad values throw InvalidPipelineInputError naming the option.
 */
export function quantizationOptionsOf(options: LoadModelOptions): QuantizationOptions | undefined {
  const { dtype, quantization, modules, linearKernel } = options;
  if (dtype !== undefined && !SUPPORTED_DTYPES.includes(dtype)) {
    throw new InvalidPipelineInputError(
      'dtype',
      `"${String(dtype)}" is not supported (supported: ${SUPPORTED_DTYPES.join(', ')})`,
    );
  }
  const result: QuantizationOptions = { dtype: canonical(dtype ?? 'fp32') };
  if (quantization !== undefined) result.quantization = quantization;
  if (linearKernel !== undefined) result.linearKernel = linearKernel;
  // q8: int8 GEMMs (u8 x s8) prefill ~5x and decode ~1.4x faster than 8-bit MatMulNBits on CPU, and
  // decode a batch of rows at little more than one row's cost (MatMulNBits' M > 1 path is ~10x slower).
  // MatMulInteger quantizes activations per row (DynamicQuantizeMatMul: per tensor, so a row's result
  // moved with its neighbours by up to 0.48 logits on tiny-text): batches, chunked prompts and reused
  // prefixes stay exact, at DynamicQuantizeMatMul's speed (tools/bench/README.md) and better accuracy.
  else if (result.dtype === 'q8' && (quantization?.bits ?? 8) === 8) {
    result.linearKernel = 'MatMulInteger';
  }
  // q4: the tied embedding / LM head stay at 8 bits, as llama.cpp's Q4_0 files keep token_embd (Q8_0
  // when the hidden size is not a multiple of 256, Q6_K otherwise): at 4 bits there the next-token
  // distribution moved 25% further from fp32's (KL 0.057 vs 0.045 nats, Q4_0 0.045, on the 1b:
  // packages/gguf bench:accuracy), for ~12% more decode time. `modules` overrides either.
  const head8 = result.dtype === 'q4' && (quantization?.bits ?? 4) === 4;
  const perModule: NonNullable<QuantizationOptions['modules']> = head8
    ? { embedding: { ...DTYPE_DEFAULTS.q8 }, lmHead: { ...DTYPE_DEFAULTS.q8 } }
    : {};
  if (modules !== undefined) {
    if (typeof modules !== 'object' || modules === null) {
      throw new InvalidPipelineInputError('modules', 'expected an object of per-module dtypes');
    }
    for (const [key, value] of Object.entries(modules)) {
      if (value === undefined) continue;
      if ((VISION_MODULES as readonly string[]).includes(key)) {
        const spec = moduleSpec(value, `modules.${key}`);
        // 'q8' / 'q4' on a vision module: MatMulNBits blocks (an object may name the kernel itself).
        const vision: VisionModuleQuantization =
          typeof spec === 'object' && !('kernel' in spec) ? { kernel: 'MatMulNBits', ...spec } : spec;
        perModule[key === 'projector' ? 'projector' : 'visionTower'] = vision;
      } else if ((TEXT_MODULES as readonly string[]).includes(key)) {
        perModule[key as (typeof TEXT_MODULES)[number]] = moduleSpec(
          value,
          `modules.${key}`,
        ) as ModuleQuantization;
      } else {
        throw new InvalidPipelineInputError(
          `modules.${key}`,
          `unknown module (known: ${[...TEXT_MODULES, ...VISION_MODULES].join(', ')})`,
        );
      }
    }
  }
  if (Object.keys(perModule).length > 0) result.modules = perModule;
  if (
    result.dtype === 'fp32' &&
    result.quantization === undefined &&
    result.linearKernel === undefined &&
    result.modules === undefined
  ) {
    return undefined;
  }
  return result;
}

/** `createQuantizedWeightOps` over `quantizationOptionsOf(options)`; undefined for a float32 build. */
export function weightOpsOf(options: LoadModelOptions): WeightOps | undefined {
  const q = quantizationOptionsOf(options);
  if (q === undefined) return undefined;
  try {
    // With an int8 prefill graph beside it, the decode graph stores the quantized embedding table
    // for the runtime to feed to both (held once instead of once per session).
    return createQuantizedWeightOps(q, {
      embeddingTable: options.prefill === 'same' ? 'initializer' : 'stored-input',
    });
  } catch (error) {
    if (error instanceof QuantizationOptionsError) {
      throw new InvalidPipelineInputError(error.option, error.message.slice(error.option.length + 2));
    }
    throw error;
  }
}

/**
 * `createVisionWeightOps` (vision tower and projector of multimodal models) over
 * `quantizationOptionsOf(options)`; undefined for a float32 build. Defaults per dtype: VISION_DEFAULTS.
 */
export function visionWeightOpsOf(options: LoadModelOptions): QuantizedVisionWeightOps | undefined {
  const q = quantizationOptionsOf(options);
  if (q === undefined) return undefined;
  try {
    return createVisionWeightOps(q);
  } catch (error) {
    if (error instanceof QuantizationOptionsError) {
      throw new InvalidPipelineInputError(error.option, error.message.slice(error.option.length + 2));
    }
    throw error;
  }
}

/**
 * The prefill graph's WeightOps (int8 DynamicQuantizeMatMul) for a quantized MatMulNBits build, unless
 * `prefill: 'same'`; undefined for float32 builds. Anything but 'int8' / 'same' is an
 * InvalidPipelineInputError.
 */
export function prefillWeightOpsOf(
  options: LoadModelOptions,
  weightOps: WeightOps | undefined,
): WeightOps | undefined {
  const { prefill } = options;
  if (prefill !== undefined && prefill !== 'int8' && prefill !== 'same') {
    throw new InvalidPipelineInputError(
      'prefill',
      `"${String(prefill)}" is not supported (expected 'int8' or 'same')`,
    );
  }
  if (prefill === 'same' || weightOps === undefined || !('resolved' in weightOps)) return undefined;
  return createPrefillWeightOps(weightOps as QuantizedWeightOps);
}
