import type { Gemma3TextConfig } from '@gemma3/config';
import { type Checkpoint, gemma3Weights } from '@gemma3/weights';
import { CheckpointLayoutError } from '../errors/checkpoint-layout-error.js';
import { TensorShapeError } from '../errors/tensor-shape-error.js';

export interface LayerTensorNames {
  q: string;
  k: string;
  v: string;
  o: string;
  qNorm: string;
  kNorm: string;
  gate: string;
  up: string;
  down: string;
  inputNorm: string;
  postAttentionNorm: string;
  preFeedforwardNorm: string;
  postFeedforwardNorm: string;
}

/** Where each decoder tensor lives in a checkpoint. */
export interface TextTensorNames {
  prefix: string;
  embed: string;
  layers: LayerTensorNames[];
  norm: string;
  /** `lm_head.weight` when the checkpoint has one; undefined when the head is tied to the embedding. */
  lmHead: string | undefined;
}

/**
 * The decoder's tensor names in any Gemma 3 layout (text-only `model.`, current multimodal
 * `model.language_model.`, released `language_model.model.`; layout detection and the LM head lookup
 * are @gemma3/weights' `gemma3Weights`, which throws `Gemma3LayoutError` for none or a mix).
 */
export function textTensorNames(checkpoint: Checkpoint): TextTensorNames {
  const weights = gemma3Weights(checkpoint);
  const prefix = weights.prefixes.text;
  if (!checkpoint.has(`${prefix}embed_tokens.weight`)) {
    throw new CheckpointLayoutError({
      folder: checkpoint.folder,
      reason: `no text decoder found: ${prefix}embed_tokens.weight is missing`,
      tensor: `${prefix}embed_tokens.weight`,
    });
  }
  const layers: LayerTensorNames[] = [];
  for (let i = 0; checkpoint.has(`${prefix}layers.${i}.input_layernorm.weight`); i++) {
    const p = `${prefix}layers.${i}.`;
    layers.push({
      q: `${p}self_attn.q_proj.weight`,
      k: `${p}self_attn.k_proj.weight`,
      v: `${p}self_attn.v_proj.weight`,
      o: `${p}self_attn.o_proj.weight`,
      qNorm: `${p}self_attn.q_norm.weight`,
      kNorm: `${p}self_attn.k_norm.weight`,
      gate: `${p}mlp.gate_proj.weight`,
      up: `${p}mlp.up_proj.weight`,
      down: `${p}mlp.down_proj.weight`,
      inputNorm: `${p}input_layernorm.weight`,
      postAttentionNorm: `${p}post_attention_layernorm.weight`,
      preFeedforwardNorm: `${p}pre_feedforward_layernorm.weight`,
      postFeedforwardNorm: `${p}post_feedforward_layernorm.weight`,
    });
  }
  const head = weights.lmHead();
  const lmHead = head.tied ? undefined : head.name;
  return { prefix, embed: `${prefix}embed_tokens.weight`, layers, norm: `${prefix}norm.weight`, lmHead };
}

/** Every tensor the decoder reads, with the shape the config implies. */
export function expectedTextShapes(config: Gemma3TextConfig, names: TextTensorNames): Map<string, number[]> {
  const h = config.hidden_size;
  const q = config.num_attention_heads * config.head_dim;
  const kv = config.num_key_value_heads * config.head_dim;
  const i = config.intermediate_size;
  const d = config.head_dim;
  const shapes = new Map<string, number[]>([
    [names.embed, [config.vocab_size, h]],
    [names.norm, [h]],
  ]);
  if (names.lmHead) shapes.set(names.lmHead, [config.vocab_size, h]);
  for (const l of names.layers) {
    shapes.set(l.q, [q, h]);
    shapes.set(l.k, [kv, h]);
    shapes.set(l.v, [kv, h]);
    shapes.set(l.o, [h, q]);
    shapes.set(l.qNorm, [d]);
    shapes.set(l.kNorm, [d]);
    shapes.set(l.gate, [i, h]);
    shapes.set(l.up, [i, h]);
    shapes.set(l.down, [h, i]);
    for (const n of [l.inputNorm, l.postAttentionNorm, l.preFeedforwardNorm, l.postFeedforwardNorm]) {
      shapes.set(n, [h]);
    }
  }
  return shapes;
}

/**
 * Checks layer count and every tensor's presence and shape against the config before anything is
 * built: a mismatch names the tensor, the expected and the actual shape.
 */
export async function checkTextShapes(
  checkpoint: Checkpoint,
  config: Gemma3TextConfig,
  names: TextTensorNames,
): Promise<void> {
  if (names.layers.length !== config.num_hidden_layers) {
    throw new CheckpointLayoutError({
      folder: checkpoint.folder,
      reason: `config has num_hidden_layers = ${config.num_hidden_layers}, the checkpoint has ${names.layers.length} layers under ${names.prefix}layers.*`,
    });
  }
  for (const [tensor, expected] of expectedTextShapes(config, names)) {
    if (!checkpoint.has(tensor)) {
      throw new CheckpointLayoutError({
        folder: checkpoint.folder,
        reason: `tensor ${tensor} is missing`,
        tensor,
      });
    }
    const info = await checkpoint.info(tensor);
    const same = info.shape.length === expected.length && info.shape.every((n, k) => n === expected[k]);
    if (!same) throw new TensorShapeError({ file: info.file, tensor, expected, actual: info.shape });
  }
}
