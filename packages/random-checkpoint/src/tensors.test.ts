import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { RANDOM_CHECKPOINT_PRESETS } from './presets.js';
import { randomCheckpointDataBytes, randomCheckpointTensors } from './tensors.js';

// Written by tools/reference-param-counts.py from the models transformers builds for the released configs.
const reference = JSON.parse(
  readFileSync(new URL('../fixtures/reference-param-counts.json', import.meta.url), 'utf8'),
) as Record<'1b' | '4b', { parameters: number; tensors: number }>;

const count = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

describe('preset tensor lists', () => {
  test.each(['1b', '4b'] as const)('%s has the reference parameter and tensor counts', (preset) => {
    const tensors = randomCheckpointTensors(preset);
    expect(tensors).toHaveLength(reference[preset].tensors);
    expect(tensors.reduce((sum, t) => sum + count(t.shape), 0)).toBe(reference[preset].parameters);
    expect(randomCheckpointDataBytes(preset)).toBe(2 * reference[preset].parameters);
  });

  test.each(RANDOM_CHECKPOINT_PRESETS)(
    '%s: bf16, norms random around 0 (RMSNorm) or 1 (LayerNorm)',
    (preset) => {
      for (const t of randomCheckpointTensors(preset)) {
        expect(t.dtype).toBe('BF16');
        if (t.role === 'rms-norm') expect(t).toMatchObject({ mean: 0, std: 0.1 });
        if (t.role === 'layer-norm-weight') expect(t).toMatchObject({ mean: 1, std: 0.1 });
        if (t.role === 'matrix') expect(t.std).toBe(0.02);
      }
    },
  );

  test('tiny presets use the real vocabulary and stay small', () => {
    const text = randomCheckpointTensors('tiny-text');
    const vlm = randomCheckpointTensors('tiny-vlm');
    expect(text.find((t) => t.name === 'model.embed_tokens.weight')?.shape).toEqual([262144, 64]);
    expect(vlm.find((t) => t.name === 'model.language_model.embed_tokens.weight')?.shape).toEqual([
      262208, 64,
    ]);
    expect(
      vlm.find((t) => t.name === 'model.vision_tower.vision_model.embeddings.patch_embedding.weight')?.shape,
    ).toEqual([64, 3, 14, 14]);
    expect(randomCheckpointDataBytes('tiny-text')).toBeLessThan(40e6);
    expect(randomCheckpointDataBytes('tiny-vlm')).toBeLessThan(40e6);
  });
});
