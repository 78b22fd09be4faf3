import { Fields } from './fields.js';
import { CONFIG_LIMITS as L } from './limits.js';

/**
 * `vision_config` of a multimodal Gemma 3: a SigLIP vision tower, with the file's field names and the
 * transformers 5.18 `SiglipVisionConfig` defaults. `image_size` and `patch_size` must be single integers.
 */
export interface SiglipVisionConfig {
  readonly model_type: 'siglip_vision_model';
  readonly hidden_size: number;
  readonly intermediate_size: number;
  readonly num_hidden_layers: number;
  readonly num_attention_heads: number;
  readonly num_channels: number;
  readonly image_size: number;
  readonly patch_size: number;
  readonly hidden_act: 'gelu_pytorch_tanh';
  readonly layer_norm_eps: number;
  readonly attention_dropout: number;
  /**
   * Whether the SigLIP pooling head exists (its weights are then in the checkpoint; Gemma 3 never uses
   * its output). The reference's SiglipVisionTransformer takes true when the field is absent; released
   * Gemma 3 configs set false.
   */
  readonly vision_use_head: boolean;
}

export const SIGLIP_VISION_DEFAULTS = {
  hidden_size: 768,
  intermediate_size: 3072,
  num_hidden_layers: 12,
  num_attention_heads: 12,
  num_channels: 3,
  image_size: 224,
  patch_size: 16,
  hidden_act: 'gelu_pytorch_tanh',
  layer_norm_eps: 1e-6,
  attention_dropout: 0,
  vision_use_head: true,
} as const;

const D = SIGLIP_VISION_DEFAULTS;

export function parseVisionConfigObject(
  json: unknown,
  source: string,
  prefix = 'vision_config',
): SiglipVisionConfig {
  const f = Fields.of(json, source, prefix);
  f.oneOf('model_type', 'siglip_vision_model', ['siglip_vision_model']);
  const hidden_size = f.int('hidden_size', D.hidden_size, 1, L.maxVisionHiddenSize);
  const num_attention_heads = f.int('num_attention_heads', D.num_attention_heads, 1, L.maxHeads);
  if (hidden_size % num_attention_heads !== 0) {
    f.fail(
      'num_attention_heads',
      `hidden_size (${hidden_size}) must be a multiple of num_attention_heads (${num_attention_heads})`,
    );
  }
  const image_size = f.int('image_size', D.image_size, 1, L.maxImageSize);
  const patch_size = f.int('patch_size', D.patch_size, 1, L.maxImageSize);
  if (image_size % patch_size !== 0) {
    f.fail('image_size', `image_size (${image_size}) must be a multiple of patch_size (${patch_size})`);
  }
  return {
    model_type: 'siglip_vision_model',
    hidden_size,
    intermediate_size: f.int('intermediate_size', D.intermediate_size, 1, L.maxVisionIntermediateSize),
    num_hidden_layers: f.int('num_hidden_layers', D.num_hidden_layers, 1, L.maxVisionLayers),
    num_attention_heads,
    num_channels: f.int('num_channels', D.num_channels, 1, L.maxChannels),
    image_size,
    patch_size,
    hidden_act: f.oneOf('hidden_act', D.hidden_act, ['gelu_pytorch_tanh']),
    layer_norm_eps: f.number('layer_norm_eps', D.layer_norm_eps, 0, 1, true),
    attention_dropout: f.number('attention_dropout', D.attention_dropout, 0, 1),
    vision_use_head: f.bool('vision_use_head', D.vision_use_head),
  };
}
