import {
  createQuantizedWeightOps,
  DTYPE_DEFAULTS,
  type ModuleQuantization,
  type QuantizationOptions,
  QuantizationOptionsError,
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
const FP32_MODULES = ['vision', 'projector'] as const;

function canonical(dtype: PipelineDtype): 'fp32' | 'q8' | 'q4' {
  return dtype === 'float32' ? 'fp32' : dtype;
}

function moduleSpec(value: ModuleDtype, where: string): ModuleQuantization {
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
  if (modules !== undefined) {
    if (typeof modules !== 'object' || modules === null) {
      throw new InvalidPipelineInputError('modules', 'expected an object of per-module dtypes');
    }
    const text: NonNullable<QuantizationOptions['modules']> = {};
    for (const [key, value] of Object.entries(modules)) {
      if (value === undefined) continue;
      if ((FP32_MODULES as readonly string[]).includes(key)) {
        if (value !== 'fp32' && value !== 'float32') {
          throw new InvalidPipelineInputError(
            `modules.${key}`,
            `"${typeof value === 'string' ? value : 'object'}" is not supported: the vision tower and projector run in fp32`,
          );
        }
      } else if ((TEXT_MODULES as readonly string[]).includes(key)) {
        text[key as (typeof TEXT_MODULES)[number]] = moduleSpec(value, `modules.${key}`);
      } else {
        throw new InvalidPipelineInputError(
          `modules.${key}`,
          `unknown module (known: ${[...TEXT_MODULES, ...FP32_MODULES].join(', ')})`,
        );
      }
    }
    if (Object.keys(text).length > 0) result.modules = text;
  }
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
    return createQuantizedWeightOps(q);
  } catch (error) {
    if (error instanceof QuantizationOptionsError) {
      throw new InvalidPipelineInputError(error.option, error.message.slice(error.option.length + 2));
    }
    throw error;
  }
}
