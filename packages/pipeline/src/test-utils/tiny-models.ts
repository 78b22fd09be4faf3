import type { RandomCheckpointPreset } from '@gemma3/random-checkpoint';
import { createTinyModels as create, type TinyModels } from '@gemma3/test-utils';

export type { TinyModels };

/** A temp folder with tiny random checkpoints (real Gemma 3 tokenizer) and an ONNX cache folder. */
export function createTinyModels(presets: readonly RandomCheckpointPreset[]): Promise<TinyModels> {
  return create(presets, 'pipeline');
}
