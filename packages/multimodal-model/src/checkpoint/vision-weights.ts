import type { Gemma3Config } from '@gemma3/config';
import type { Checkpoint } from '@gemma3/weights';
import { VisionCheckpointError } from '../errors/vision-checkpoint-error.js';
import { VisionTensorShapeError } from '../errors/vision-tensor-shape-error.js';

/**
 * Name prefixes of the SigLIP vision model, in the order tried:
 * - `model.vision_tower.vision_model.`: as transformers 4.5x saves Gemma3ForConditionalGeneration;
 * - `vision_tower.vision_model.`: the released 4B/12B/27B files;
 * - `model.vision_tower.` / `vision_tower.`: as transformers 5.x `save_pretrained` writes it (no `vision_model.`).
 */
export const VISION_PREFIXES = [
  'model.vision_tower.vision_model.',
  'vision_tower.vision_model.',
  'model.vision_tower.',
  'vision_tower.',
] as const;

/** Name prefixes of the multimodal projector (current, then released and 5.x). */
export const PROJECTOR_PREFIXES = ['model.multi_modal_projector.', 'multi_modal_projector.'] as const;

export interface VisionLayerNames {
  layerNorm1: { weight: string; bias: string };
  layerNorm2: { weight: string; bias: string };
  q: { weight: string; bias: string };
  k: { weight: string; bias: string };
  v: { weight: string; bias: string };
  out: { weight: string; bias: string };
  fc1: { weight: string; bias: string };
  fc2: { weight: string; bias: string };
}

/** Where each vision tower and projector tensor lives in a checkpoint. */
export interface VisionTensorNames {
  visionPrefix: string;
  projectorPrefix: string;
  patchWeight: string;
  patchBias: string;
  positionEmbedding: string;
  layers: VisionLayerNames[];
  postLayerNorm: { weight: string; bias: string };
  softEmbNorm: string;
  inputProjection: string;
}

const pair = (p: string) => ({ weight: `${p}.weight`, bias: `${p}.bias` });

export function visionTensorNames(checkpoint: Checkpoint): VisionTensorNames {
  const visionPrefix = VISION_PREFIXES.find((p) => checkpoint.has(`${p}embeddings.patch_embedding.weight`));
  if (visionPrefix === undefined) {
    throw new VisionCheckpointError({
      folder: checkpoint.folder,
      reason: `no vision tower found: none of ${VISION_PREFIXES.map((p) => `${p}embeddings.patch_embedding.weight`).join(', ')} is present`,
    });
  }
  const projectorPrefix = PROJECTOR_PREFIXES.find((p) => checkpoint.has(`${p}mm_input_projection_weight`));
  if (projectorPrefix === undefined) {
    throw new VisionCheckpointError({
      folder: checkpoint.folder,
      reason: `no multimodal projector found: none of ${PROJECTOR_PREFIXES.map((p) => `${p}mm_input_projection_weight`).join(', ')} is present`,
    });
  }
  const layers: VisionLayerNames[] = [];
  for (let i = 0; checkpoint.has(`${visionPrefix}encoder.layers.${i}.layer_norm1.weight`); i++) {
    const p = `${visionPrefix}encoder.layers.${i}.`;
    layers.push({
      layerNorm1: pair(`${p}layer_norm1`),
      layerNorm2: pair(`${p}layer_norm2`),
      q: pair(`${p}self_attn.q_proj`),
      k: pair(`${p}self_attn.k_proj`),
      v: pair(`${p}self_attn.v_proj`),
      out: pair(`${p}self_attn.out_proj`),
      fc1: pair(`${p}mlp.fc1`),
      fc2: pair(`${p}mlp.fc2`),
    });
  }
  return {
    visionPrefix,
    projectorPrefix,
    patchWeight: `${visionPrefix}embeddings.patch_embedding.weight`,
    patchBias: `${visionPrefix}embeddings.patch_embedding.bias`,
    positionEmbedding: `${visionPrefix}embeddings.position_embedding.weight`,
    layers,
    postLayerNorm: pair(`${visionPrefix}post_layernorm`),
    softEmbNorm: `${projectorPrefix}mm_soft_emb_norm.weight`,
    inputProjection: `${projectorPrefix}mm_input_projection_weight`,
  };
}

/** Every tensor the vision graph reads, with the shape the config implies. */
export function expectedVisionShapes(config: Gemma3Config, names: VisionTensorNames): Map<string, number[]> {
  const v = config.vision_config;
  const h = v.hidden_size;
  const patches = (v.image_size / v.patch_size) ** 2;
  const shapes = new Map<string, number[]>([
    [names.patchWeight, [h, v.num_channels, v.patch_size, v.patch_size]],
    [names.patchBias, [h]],
    [names.positionEmbedding, [patches, h]],
    [names.postLayerNorm.weight, [h]],
    [names.postLayerNorm.bias, [h]],
    [names.softEmbNorm, [h]],
    [names.inputProjection, [h, config.text_config.hidden_size]],
  ]);
  for (const l of names.layers) {
    for (const p of [l.layerNorm1, l.layerNorm2]) {
      shapes.set(p.weight, [h]);
      shapes.set(p.bias, [h]);
    }
    for (const p of [l.q, l.k, l.v, l.out]) {
      shapes.set(p.weight, [h, h]);
      shapes.set(p.bias, [h]);
    }
    shapes.set(l.fc1.weight, [v.intermediate_size, h]);
    shapes.set(l.fc1.bias, [v.intermediate_size]);
    shapes.set(l.fc2.weight, [h, v.intermediate_size]);
    shapes.set(l.fc2.bias, [h]);
  }
  return shapes;
}

/** Checks the layer count and every vision/projector tensor's presence and shape before building. */
export async function checkVisionShapes(
  checkpoint: Checkpoint,
  config: Gemma3Config,
  names: VisionTensorNames,
): Promise<void> {
  const layers = config.vision_config.num_hidden_layers;
  if (names.layers.length !== layers) {
    throw new VisionCheckpointError({
      folder: checkpoint.folder,
      reason: `vision_config has num_hidden_layers = ${layers}, the checkpoint has ${names.layers.length} layers under ${names.visionPrefix}encoder.layers.*`,
    });
  }
  for (const [tensor, expected] of expectedVisionShapes(config, names)) {
    if (!checkpoint.has(tensor)) {
      throw new VisionCheckpointError({
        folder: checkpoint.folder,
        reason: `tensor ${tensor} is missing`,
        tensor,
      });
    }
    const info = await checkpoint.info(tensor);
    const same = info.shape.length === expected.length && info.shape.every((n, k) => n === expected[k]);
    if (!same) throw new VisionTensorShapeError({ file: info.file, tensor, expected, actual: info.shape });
  }
}
