import type { Gemma3Config, ModelConfig } from './model-config.js';
import type { Gemma3TextConfig } from './text-config.js';
import type { SiglipVisionConfig } from './vision-config.js';

/** One tensor a checkpoint for a config must hold. */
export interface TensorSpec {
  readonly name: string;
  /** Row-major shape, as in safetensors (Linear weights are [out, in]). */
  readonly shape: readonly number[];
  /** What the tensor is, for initialisation: a norm weight (used as 1 + w or LayerNorm w), a bias, or a matrix. */
  readonly role: 'matrix' | 'embedding' | 'rms-norm' | 'layer-norm-weight' | 'bias';
}

/**
 * Every tensor of a checkpoint for `config`, in order, with the names and shapes of the reference
 * (checked against transformers 5.18 models built from tiny configs:
 * packages/random-checkpoint/tools/list-reference-tensors.py). Names use the current layout:
 * text-only `model.*`; multimodal `model.language_model.*`, `model.vision_tower.vision_model.*`,
 * `model.multi_modal_projector.*`. `lm_head.weight` appears only when tie_word_embeddings is false.
 * The model can check a checkpoint's shapes against this list (head_dim x heads vs q_proj, etc.).
 */
export function expectedTensorShapes(config: ModelConfig): TensorSpec[] {
  if (config.model_type === 'gemma3_text') {
    return [...textTensors(config, 'model.'), ...lmHead(config, config.tie_word_embeddings)];
  }
  return [
    ...visionTensors(config.vision_config, 'model.vision_tower.vision_model.'),
    ...projectorTensors(config, 'model.multi_modal_projector.'),
    ...textTensors(config.text_config, 'model.language_model.'),
    ...lmHead(config.text_config, config.tie_word_embeddings),
  ];
}

function lmHead(text: Gemma3TextConfig, tied: boolean): TensorSpec[] {
  return tied ? [] : [{ name: 'lm_head.weight', shape: [text.vocab_size, text.hidden_size], role: 'matrix' }];
}

function textTensors(c: Gemma3TextConfig, prefix: string): TensorSpec[] {
  const h = c.hidden_size;
  const q = c.num_attention_heads * c.head_dim;
  const kv = c.num_key_value_heads * c.head_dim;
  const out: TensorSpec[] = [
    { name: `${prefix}embed_tokens.weight`, shape: [c.vocab_size, h], role: 'embedding' },
  ];
  for (let i = 0; i < c.num_hidden_layers; i++) {
    const p = `${prefix}layers.${i}.`;
    out.push(
      { name: `${p}self_attn.q_proj.weight`, shape: [q, h], role: 'matrix' },
      { name: `${p}self_attn.k_proj.weight`, shape: [kv, h], role: 'matrix' },
      { name: `${p}self_attn.v_proj.weight`, shape: [kv, h], role: 'matrix' },
      { name: `${p}self_attn.o_proj.weight`, shape: [h, q], role: 'matrix' },
      { name: `${p}self_attn.q_norm.weight`, shape: [c.head_dim], role: 'rms-norm' },
      { name: `${p}self_attn.k_norm.weight`, shape: [c.head_dim], role: 'rms-norm' },
      { name: `${p}mlp.gate_proj.weight`, shape: [c.intermediate_size, h], role: 'matrix' },
      { name: `${p}mlp.up_proj.weight`, shape: [c.intermediate_size, h], role: 'matrix' },
      { name: `${p}mlp.down_proj.weight`, shape: [h, c.intermediate_size], role: 'matrix' },
      { name: `${p}input_layernorm.weight`, shape: [h], role: 'rms-norm' },
      { name: `${p}post_attention_layernorm.weight`, shape: [h], role: 'rms-norm' },
      { name: `${p}pre_feedforward_layernorm.weight`, shape: [h], role: 'rms-norm' },
      { name: `${p}post_feedforward_layernorm.weight`, shape: [h], role: 'rms-norm' },
    );
  }
  out.push({ name: `${prefix}norm.weight`, shape: [h], role: 'rms-norm' });
  return out;
}

function linear(name: string, outDim: number, inDim: number): TensorSpec[] {
  return [
    { name: `${name}.weight`, shape: [outDim, inDim], role: 'matrix' },
    { name: `${name}.bias`, shape: [outDim], role: 'bias' },
  ];
}

function layerNorm(name: string, dim: number): TensorSpec[] {
  return [
    { name: `${name}.weight`, shape: [dim], role: 'layer-norm-weight' },
    { name: `${name}.bias`, shape: [dim], role: 'bias' },
  ];
}

function visionTensors(v: SiglipVisionConfig, prefix: string): TensorSpec[] {
  const h = v.hidden_size;
  const patches = (v.image_size / v.patch_size) ** 2;
  const out: TensorSpec[] = [
    // [hidden, channels, patch, patch]: a conv with stride = patch size.
    {
      name: `${prefix}embeddings.patch_embedding.weight`,
      shape: [h, v.num_channels, v.patch_size, v.patch_size],
      role: 'matrix',
    },
    { name: `${prefix}embeddings.patch_embedding.bias`, shape: [h], role: 'bias' },
    { name: `${prefix}embeddings.position_embedding.weight`, shape: [patches, h], role: 'embedding' },
  ];
  for (let i = 0; i < v.num_hidden_layers; i++) {
    const p = `${prefix}encoder.layers.${i}.`;
    out.push(
      ...layerNorm(`${p}layer_norm1`, h),
      ...linear(`${p}self_attn.q_proj`, h, h),
      ...linear(`${p}self_attn.k_proj`, h, h),
      ...linear(`${p}self_attn.v_proj`, h, h),
      ...linear(`${p}self_attn.out_proj`, h, h),
      ...layerNorm(`${p}layer_norm2`, h),
      ...linear(`${p}mlp.fc1`, v.intermediate_size, h),
      ...linear(`${p}mlp.fc2`, h, v.intermediate_size),
    );
  }
  out.push(...layerNorm(`${prefix}post_layernorm`, h));
  if (v.vision_use_head) {
    out.push(
      { name: `${prefix}head.probe`, shape: [1, 1, h], role: 'embedding' },
      { name: `${prefix}head.attention.in_proj_weight`, shape: [3 * h, h], role: 'matrix' },
      { name: `${prefix}head.attention.in_proj_bias`, shape: [3 * h], role: 'bias' },
      ...linear(`${prefix}head.attention.out_proj`, h, h),
      ...layerNorm(`${prefix}head.layernorm`, h),
      ...linear(`${prefix}head.mlp.fc1`, v.intermediate_size, h),
      ...linear(`${prefix}head.mlp.fc2`, h, v.intermediate_size),
    );
  }
  return out;
}

function projectorTensors(c: Gemma3Config, prefix: string): TensorSpec[] {
  const vh = c.vision_config.hidden_size;
  return [
    // [vision_hidden, text_hidden]: used as x @ W (not a Linear, so not transposed).
    { name: `${prefix}mm_input_projection_weight`, shape: [vh, c.text_config.hidden_size], role: 'matrix' },
    { name: `${prefix}mm_soft_emb_norm.weight`, shape: [vh], role: 'rms-norm' },
  ];
}
