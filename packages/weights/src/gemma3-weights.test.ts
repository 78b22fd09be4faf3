import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { Gemma3LayoutError } from './errors/gemma3-layout-error.js';
import { TensorNotFoundError } from './errors/tensor-not-found-error.js';
import { detectGemma3Layout, type Gemma3WeightLayout, gemma3Weights } from './gemma3-weights.js';
import { openCheckpoint } from './open-checkpoint.js';
import { type TensorToWrite, writeSafetensors } from './write-safetensors.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'weights-gemma3-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A one-element tensor whose value tells which full name it was stored under. */
function marker(name: string, value: number): TensorToWrite {
  return { name, dtype: 'F32', shape: [1], data: new Float32Array([value]) };
}

// Full names of the same weights in each layout (from transformers' gemma3 modeling and its
// conversion_mapping "llava" renamings: ^language_model.lm_head -> lm_head, ^language_model ->
// model.language_model, ^vision_tower -> model.vision_tower, ^multi_modal_projector -> model.multi_modal_projector).
const LAYOUTS: Record<
  Gemma3WeightLayout,
  { text: string; vision?: string; projector?: string; head: string }
> = {
  'released-multimodal': {
    text: 'language_model.model.',
    vision: 'vision_tower.vision_model.',
    projector: 'multi_modal_projector.',
    head: 'language_model.lm_head.weight',
  },
  'current-multimodal': {
    text: 'model.language_model.',
    vision: 'model.vision_tower.vision_model.',
    projector: 'model.multi_modal_projector.',
    head: 'lm_head.weight',
  },
  'text-only': { text: 'model.', head: 'lm_head.weight' },
};

async function writeLayout(layout: Gemma3WeightLayout, withHead: boolean): Promise<void> {
  const p = LAYOUTS[layout];
  const tensors = [
    marker(`${p.text}embed_tokens.weight`, 1),
    marker(`${p.text}layers.3.self_attn.q_proj.weight`, 2),
    marker(`${p.text}norm.weight`, 3),
  ];
  if (p.vision) tensors.push(marker(`${p.vision}embeddings.patch_embedding.weight`, 4));
  if (p.vision) tensors.push(marker(`${p.vision}post_layernorm.weight`, 5));
  if (p.projector) tensors.push(marker(`${p.projector}mm_input_projection_weight`, 6));
  if (withHead) tensors.push(marker(p.head, 7));
  await writeSafetensors(join(dir, 'model.safetensors'), tensors);
}

async function firstValue(ref: { readFloat32(): Promise<Float32Array> }): Promise<number> {
  return (await ref.readFloat32())[0]!;
}

describe.each(Object.keys(LAYOUTS) as Gemma3WeightLayout[])('the %s layout', (layout) => {
  test('maps decoder, vision and projector names and reads the right tensors', async () => {
    await writeLayout(layout, false);
    const checkpoint = await openCheckpoint(dir);
    const weights = gemma3Weights(checkpoint);
    expect(weights.layout).toBe(layout);
    expect(await firstValue(weights.text('embed_tokens.weight'))).toBe(1);
    expect(await firstValue(weights.text('layers.3.self_attn.q_proj.weight'))).toBe(2);
    expect(await firstValue(weights.text('norm.weight'))).toBe(3);
    expect(weights.textNames()).toEqual([
      'embed_tokens.weight',
      'layers.3.self_attn.q_proj.weight',
      'norm.weight',
    ]);
    expect(weights.text('norm.weight').name).toBe(`${LAYOUTS[layout].text}norm.weight`);
    expect(() => weights.text('layers.99.mlp.up_proj.weight')).toThrow(TensorNotFoundError);
    if (layout === 'text-only') {
      expect(weights.hasVision).toBe(false);
      expect(() => weights.vision('post_layernorm.weight')).toThrow(Gemma3LayoutError);
      expect(() => weights.projector('mm_input_projection_weight')).toThrow(Gemma3LayoutError);
    } else {
      expect(weights.hasVision).toBe(true);
      expect(await firstValue(weights.vision('embeddings.patch_embedding.weight'))).toBe(4);
      expect(await firstValue(weights.vision('post_layernorm.weight'))).toBe(5);
      expect(await firstValue(weights.projector('mm_input_projection_weight'))).toBe(6);
      expect(weights.visionNames()).toEqual(['embeddings.patch_embedding.weight', 'post_layernorm.weight']);
      expect(weights.projectorNames()).toEqual(['mm_input_projection_weight']);
    }
    expect(weights.unmappedNames()).toEqual([]);
    // No lm_head tensor: the head is the tied embedding.
    const head = weights.lmHead();
    expect(head.tied).toBe(true);
    expect(await firstValue(head)).toBe(1);
    await checkpoint.close();
  });

  test('a separate lm_head is used when present', async () => {
    await writeLayout(layout, true);
    const checkpoint = await openCheckpoint(dir);
    const head = gemma3Weights(checkpoint).lmHead();
    expect(head.tied).toBe(false);
    expect(head.name).toBe(LAYOUTS[layout].head);
    expect(await firstValue(head)).toBe(7);
    await checkpoint.close();
  });
});

describe('the layout transformers 5.x save_pretrained writes (vision tower without vision_model.)', () => {
  test.each([
    ['released-multimodal', ''],
    ['current-multimodal', 'model.'],
  ] as const)('%s prefixes', async (layout, root) => {
    const text = layout === 'released-multimodal' ? 'language_model.model.' : 'model.language_model.';
    await writeSafetensors(join(dir, 'model.safetensors'), [
      marker(`${text}embed_tokens.weight`, 1),
      marker(`${root}vision_tower.embeddings.patch_embedding.weight`, 4),
      marker(`${root}vision_tower.post_layernorm.weight`, 5),
      marker(`${root}multi_modal_projector.mm_input_projection_weight`, 6),
    ]);
    const checkpoint = await openCheckpoint(dir);
    const weights = gemma3Weights(checkpoint);
    expect(weights.layout).toBe(layout);
    expect(weights.prefixes.vision).toBe(`${root}vision_tower.`);
    expect(await firstValue(weights.vision('embeddings.patch_embedding.weight'))).toBe(4);
    expect(await firstValue(weights.vision('post_layernorm.weight'))).toBe(5);
    expect(await firstValue(weights.projector('mm_input_projection_weight'))).toBe(6);
    expect(weights.unmappedNames()).toEqual([]);
    await checkpoint.close();
  });
});

describe('detectGemma3Layout', () => {
  test('refuses a mix of released and current names', () => {
    expect(() =>
      detectGemma3Layout(['language_model.model.norm.weight', 'model.language_model.norm.weight'], 'f'),
    ).toThrow(Gemma3LayoutError);
  });

  test('refuses names of another model', () => {
    expect(() => detectGemma3Layout(['transformer.h.0.attn.weight'], 'f')).toThrow(
      /not a Gemma 3 checkpoint/,
    );
  });

  test('lists tensors that belong to no part', async () => {
    await writeSafetensors(join(dir, 'model.safetensors'), [
      marker('model.embed_tokens.weight', 1),
      marker('something_else.weight', 2),
    ]);
    const checkpoint = await openCheckpoint(dir);
    expect(gemma3Weights(checkpoint).unmappedNames()).toEqual(['something_else.weight']);
    await checkpoint.close();
  });
});
