import { Fields } from './fields.js';
import { CONFIG_LIMITS as L } from './limits.js';
import {
  type LayerType,
  parseLayerTypes,
  parseRopeParameters,
  type RopeParameters,
  type RopeParametersByLayerType,
} from './rope.js';

/** Derived once per layer from `layer_types`, `sliding_window` and `rope_parameters`. */
export interface LayerSpec {
  readonly layer_type: LayerType;
  /** Keys a query sees on this layer: k <= q and q - k < sliding_window; null on full-attention layers. */
  readonly sliding_window: number | null;
  /** RoPE base of this layer. */
  readonly rope_theta: number;
  /** Linear RoPE scaling: positions are divided by this factor; 1 when the layer has no scaling. */
  readonly rope_scaling_factor: number;
}

/**
 * config.json of a text-only Gemma 3 (`model_type: gemma3_text`) or the `text_config` of a multimodal one,
 * with the file's field names and every absent field set to the transformers 5.18 default.
 * Both file formats (released: rope_theta / rope_local_base_freq / rope_scaling / sliding_window_pattern;
 * transformers >= 5: layer_types / rope_parameters) parse to the same object: the format-specific fields
 * are folded into `layer_types` and `rope_parameters`, and `layers` holds the per-layer values.
 */
export interface Gemma3TextConfig {
  readonly model_type: 'gemma3_text';
  readonly vocab_size: number;
  readonly hidden_size: number;
  readonly intermediate_size: number;
  readonly num_hidden_layers: number;
  readonly num_attention_heads: number;
  readonly num_key_value_heads: number;
  readonly head_dim: number;
  readonly hidden_activation: 'gelu_pytorch_tanh';
  readonly max_position_embeddings: number;
  readonly initializer_range: number;
  readonly rms_norm_eps: number;
  readonly use_cache: boolean;
  readonly pad_token_id: number | null;
  /** Always a list (the file may hold one id or a list). */
  readonly eos_token_id: readonly number[];
  readonly bos_token_id: number | null;
  readonly tie_word_embeddings: boolean;
  readonly attention_bias: boolean;
  readonly attention_dropout: number;
  /** Attention scores are scaled by query_pre_attn_scalar ** -0.5 (not head_dim ** -0.5). */
  readonly query_pre_attn_scalar: number;
  readonly sliding_window: number;
  readonly final_logit_softcapping: number | null;
  readonly attn_logit_softcapping: number | null;
  readonly layer_types: readonly LayerType[];
  readonly rope_parameters: RopeParametersByLayerType;
  /** `dtype` (transformers >= 5) or `torch_dtype` (released); null when neither is given. */
  readonly dtype: string | null;
  /** Derived: one entry per layer. */
  readonly layers: readonly LayerSpec[];
}

/** Reference defaults (transformers 5.18 `Gemma3TextConfig`). */
export const GEMMA3_TEXT_DEFAULTS = {
  vocab_size: 262_208,
  hidden_size: 2304,
  intermediate_size: 9216,
  num_hidden_layers: 26,
  num_attention_heads: 8,
  num_key_value_heads: 4,
  head_dim: 256,
  hidden_activation: 'gelu_pytorch_tanh',
  max_position_embeddings: 131_072,
  initializer_range: 0.02,
  rms_norm_eps: 1e-6,
  use_cache: true,
  pad_token_id: 0,
  eos_token_id: [1],
  bos_token_id: 2,
  tie_word_embeddings: true,
  attention_bias: false,
  attention_dropout: 0,
  query_pre_attn_scalar: 256,
  sliding_window: 4096,
  sliding_window_pattern: 6,
  final_logit_softcapping: null,
  attn_logit_softcapping: null,
} as const;

const D = GEMMA3_TEXT_DEFAULTS;

/** Parses a gemma3_text config object. `prefix` is the path of the object inside the file (e.g. `text_config`). */
export function parseTextConfigObject(json: unknown, source: string, prefix = ''): Gemma3TextConfig {
  const f = Fields.of(json, source, prefix);
  f.oneOf('model_type', 'gemma3_text', ['gemma3_text']);
  const vocab_size = f.int('vocab_size', D.vocab_size, 1, L.maxVocabSize);
  const hidden_size = f.int('hidden_size', D.hidden_size, 1, L.maxHiddenSize);
  const intermediate_size = f.int('intermediate_size', D.intermediate_size, 1, L.maxIntermediateSize);
  const num_hidden_layers = f.int('num_hidden_layers', D.num_hidden_layers, 1, L.maxLayers);
  const num_attention_heads = f.int('num_attention_heads', D.num_attention_heads, 1, L.maxHeads);
  const num_key_value_heads = f.int('num_key_value_heads', D.num_key_value_heads, 1, L.maxHeads);
  const head_dim = f.int('head_dim', D.head_dim, 1, L.maxHeadDim);
  if (num_attention_heads % num_key_value_heads !== 0) {
    f.fail(
      'num_key_value_heads',
      `num_attention_heads (${num_attention_heads}) must be a multiple of num_key_value_heads (${num_key_value_heads})`,
    );
  }
  // The reference (`validate_architecture`) requires this even though head_dim is explicit.
  if (hidden_size % num_attention_heads !== 0) {
    f.fail(
      'num_attention_heads',
      `hidden_size (${hidden_size}) must be a multiple of num_attention_heads (${num_attention_heads})`,
    );
  }
  checkElements(f, 'vocab_size', vocab_size * hidden_size, 'vocab_size x hidden_size');
  checkElements(f, 'intermediate_size', intermediate_size * hidden_size, 'intermediate_size x hidden_size');
  checkElements(
    f,
    'head_dim',
    num_attention_heads * head_dim * hidden_size,
    'num_attention_heads x head_dim x hidden_size',
  );

  const max_position_embeddings = f.int(
    'max_position_embeddings',
    D.max_position_embeddings,
    1,
    L.maxPositions,
  );
  const sliding_window = f.int('sliding_window', D.sliding_window, 1, L.maxPositions);
  const tokenMax = vocab_size - 1;
  if (f.bool('use_bidirectional_attention', false)) {
    f.fail('use_bidirectional_attention', 'bidirectional attention (EmbeddingGemma) is not supported');
  }
  const layer_types = parseLayerTypes(f, num_hidden_layers, L.maxSlidingWindowPattern);
  const rope_parameters = parseRopeParameters(f);
  const dtype = f.has('dtype') ? f.nullableString('dtype', null) : f.nullableString('torch_dtype', null);
  return {
    model_type: 'gemma3_text',
    vocab_size,
    hidden_size,
    intermediate_size,
    num_hidden_layers,
    num_attention_heads,
    num_key_value_heads,
    head_dim,
    hidden_activation: f.oneOf('hidden_activation', D.hidden_activation, ['gelu_pytorch_tanh']),
    max_position_embeddings,
    initializer_range: f.number('initializer_range', D.initializer_range, 0, 1e3),
    rms_norm_eps: f.number('rms_norm_eps', D.rms_norm_eps, 0, 1, true),
    use_cache: f.bool('use_cache', D.use_cache),
    pad_token_id: f.nullableInt('pad_token_id', D.pad_token_id, 0, tokenMax),
    eos_token_id: f.json.eos_token_id === null ? [] : f.intList('eos_token_id', D.eos_token_id, 0, tokenMax),
    bos_token_id: f.nullableInt('bos_token_id', D.bos_token_id, 0, tokenMax),
    tie_word_embeddings: f.bool('tie_word_embeddings', D.tie_word_embeddings),
    attention_bias: f.bool('attention_bias', D.attention_bias),
    attention_dropout: f.number('attention_dropout', D.attention_dropout, 0, 1),
    query_pre_attn_scalar: f.number('query_pre_attn_scalar', D.query_pre_attn_scalar, 0, 1e6, true),
    sliding_window,
    final_logit_softcapping: f.nullableNumber(
      'final_logit_softcapping',
      D.final_logit_softcapping,
      0,
      1e6,
      true,
    ),
    attn_logit_softcapping: f.nullableNumber(
      'attn_logit_softcapping',
      D.attn_logit_softcapping,
      0,
      1e6,
      true,
    ),
    layer_types,
    rope_parameters,
    dtype,
    layers: layer_types.map((layer_type) =>
      layerSpec(layer_type, sliding_window, rope_parameters[layer_type]),
    ),
  };
}

function layerSpec(layer_type: LayerType, sliding_window: number, rope: RopeParameters): LayerSpec {
  return {
    layer_type,
    sliding_window: layer_type === 'sliding_attention' ? sliding_window : null,
    rope_theta: rope.rope_theta,
    rope_scaling_factor: rope.rope_type === 'linear' ? rope.factor : 1,
  };
}

export function checkElements(f: Fields, field: string, elements: number, what: string): void {
  if (elements > L.maxTensorElements) {
    f.fail(field, `${what} = ${elements} elements exceeds the limit of ${L.maxTensorElements}`);
  }
}
