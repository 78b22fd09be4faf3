import { expectedTensorShapes, parseModelConfig, type TensorSpec } from '@gemma3/config';
import { presetFiles, type RandomCheckpointPreset } from './presets.js';

/** A tensor of a random checkpoint: name, shape, dtype (always BF16) and the normal it is drawn from. */
export interface RandomTensorSpec extends TensorSpec {
  readonly dtype: 'BF16';
  readonly mean: number;
  readonly std: number;
}

/**
 * How each kind of tensor is drawn. Matrices and embeddings: N(0, 0.02), as the reference initialises
 * them (initializer_range), which keeps activations finite through the sandwich norms. RMSNorm weights
 * (applied as 1 + w) N(0, 0.1) and LayerNorm weights N(1, 0.1): random so that a model which drops
 * the (1 + w) or the weight is caught. Biases N(0, 0.02).
 */
export const INIT_BY_ROLE: Record<TensorSpec['role'], { mean: number; std: number }> = {
  matrix: { mean: 0, std: 0.02 },
  embedding: { mean: 0, std: 0.02 },
  'rms-norm': { mean: 0, std: 0.1 },
  'layer-norm-weight': { mean: 1, std: 0.1 },
  bias: { mean: 0, std: 0.02 },
};

/** Every tensor the preset's model.safetensors holds, in file order, without writing anything. */
export function randomCheckpointTensors(preset: RandomCheckpointPreset): RandomTensorSpec[] {
  const config = parseModelConfig(presetFiles(preset).config, `preset ${preset}`);
  return expectedTensorShapes(config).map((spec) => ({ ...spec, dtype: 'BF16', ...INIT_BY_ROLE[spec.role] }));
}

/** Bytes of the preset's tensor data (bf16), without the safetensors header. */
export function randomCheckpointDataBytes(preset: RandomCheckpointPreset): number {
  return randomCheckpointTensors(preset).reduce((sum, t) => sum + 2 * t.shape.reduce((a, b) => a * b, 1), 0);
}
