import { describe, expect, test } from 'vitest';
import { parseModelConfig } from './model-config.js';
import { expectedTensorShapes } from './tensor-shapes.js';
import { fixture } from './test-utils/fixtures.js';

interface ReferenceCase {
  config: unknown;
  tied: boolean;
  tensors: Record<string, number[]>;
}

// Written by tools/list-reference-tensors.py from models transformers 5.18 builds for tiny configs.
const cases = fixture('reference-tensors.json') as unknown as ReferenceCase[];

/**
 * The reference's in-memory names, in checkpoint form: transformers 5.18 flattens the SigLIP wrapper
 * (`model.vision_tower.embeddings`), checkpoints name it `model.vision_tower.vision_model.embeddings`
 * (both load in 5.18); a tied lm_head is in the state_dict but never saved.
 */
function checkpointNames(c: ReferenceCase): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const [name, shape] of Object.entries(c.tensors)) {
    if (c.tied && name === 'lm_head.weight') continue;
    out[name.replace(/^model\.vision_tower\./, 'model.vision_tower.vision_model.')] = shape;
  }
  return out;
}

describe('expectedTensorShapes matches the reference', () => {
  test.each(cases.map((c, i) => [i, c] as const))('case %i', (_, c) => {
    const config = parseModelConfig(c.config, 'reference');
    const expected = Object.fromEntries(expectedTensorShapes(config).map((t) => [t.name, [...t.shape]]));
    expect(expected).toEqual(checkpointNames(c));
  });

  test('released 4B: 883 tensors, embedding 262208 x 2560, projector 1152 x 2560', () => {
    const specs = expectedTensorShapes(parseModelConfig(fixture('gemma-3-4b-it.config.json'), 'config.json'));
    const byName = new Map(specs.map((t) => [t.name, t.shape]));
    expect(byName.get('model.language_model.embed_tokens.weight')).toEqual([262208, 2560]);
    expect(byName.get('model.multi_modal_projector.mm_input_projection_weight')).toEqual([1152, 2560]);
    expect(byName.get('model.vision_tower.vision_model.embeddings.position_embedding.weight')).toEqual([
      4096, 1152,
    ]);
    expect(byName.get('model.language_model.layers.0.self_attn.k_proj.weight')).toEqual([1024, 2560]);
    expect(byName.has('lm_head.weight')).toBe(false);
    expect(specs).toHaveLength(34 * 13 + 2 + 3 + 27 * 16 + 2 + 2);
  });
});
