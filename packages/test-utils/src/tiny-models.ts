import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRandomCheckpoint, type RandomCheckpointPreset } from '@gemma3/random-checkpoint';

/** A temp folder with tiny random checkpoints (real Gemma 3 tokenizer) and an ONNX cache folder. */
export interface TinyModels {
  root: string;
  cacheDir: string;
  dir(preset: 'tiny-text' | 'tiny-vlm'): string;
  cleanup(): Promise<void>;
}

/** Creates `presets` (seed 0) under a new temp folder named `gemma3-PREFIX-...`. */
export async function createTinyModels(
  presets: readonly RandomCheckpointPreset[],
  prefix = 'test',
): Promise<TinyModels> {
  const root = await mkdtemp(join(tmpdir(), `gemma3-${prefix}-`));
  for (const preset of presets) await createRandomCheckpoint({ preset, outDir: join(root, preset), seed: 0 });
  return {
    root,
    cacheDir: join(root, 'onnx-cache'),
    dir: (preset) => join(root, preset),
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
}
