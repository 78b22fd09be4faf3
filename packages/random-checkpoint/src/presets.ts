/**
 * The checkpoints `createRandomCheckpoint` can write. `1b` and `4b` are the released configs of
 * google/gemma-3-1b-it and google/gemma-3-4b-it verbatim (the released config format); the tiny presets
 * keep the real vocabulary (so the real tokenizer works) and shrink everything else.
 */
export type RandomCheckpointPreset = 'tiny-text' | 'tiny-vlm' | '1b' | '4b';

export const RANDOM_CHECKPOINT_PRESETS: readonly RandomCheckpointPreset[] = [
  'tiny-text',
  'tiny-vlm',
  '1b',
  '4b',
];

export function isRandomCheckpointPreset(value: string): value is RandomCheckpointPreset {
  return (RANDOM_CHECKPOINT_PRESETS as readonly string[]).includes(value);
}

/** The JSON files of a preset besides weights and tokenizer, in the released format. */
export interface PresetFiles {
  readonly config: Record<string, unknown>;
  readonly generationConfig: Record<string, unknown>;
  /** Multimodal presets only. */
  readonly preprocessorConfig?: Record<string, unknown>;
  readonly processorConfig?: Record<string, unknown>;
}

/** Released gemma-3-*-it generation_config.json. */
const GENERATION_CONFIG = {
  bos_token_id: 2,
  cache_implementation: 'hybrid',
  do_sample: true,
  eos_token_id: [1, 106],
  pad_token_id: 0,
  top_k: 64,
  top_p: 0.95,
};

function preprocessor(size: number, imageSeqLength: number) {
  return {
    do_convert_rgb: null,
    do_normalize: true,
    do_pan_and_scan: null,
    do_rescale: true,
    do_resize: true,
    image_mean: [0.5, 0.5, 0.5],
    image_processor_type: 'Gemma3ImageProcessor',
    image_seq_length: imageSeqLength,
    image_std: [0.5, 0.5, 0.5],
    pan_and_scan_max_num_crops: null,
    pan_and_scan_min_crop_size: null,
    pan_and_scan_min_ratio_to_activate: null,
    processor_class: 'Gemma3Processor',
    resample: 2,
    rescale_factor: 0.00392156862745098,
    size: { height: size, width: size },
  };
}

function processor(imageSeqLength: number) {
  return { image_seq_length: imageSeqLength, processor_class: 'Gemma3Processor' };
}

const GEMMA_3_1B_IT = {
  architectures: ['Gemma3ForCausalLM'],
  attention_bias: false,
  attention_dropout: 0.0,
  attn_logit_softcapping: null,
  bos_token_id: 2,
  cache_implementation: 'hybrid',
  eos_token_id: [1, 106],
  final_logit_softcapping: null,
  head_dim: 256,
  hidden_activation: 'gelu_pytorch_tanh',
  hidden_size: 1152,
  initializer_range: 0.02,
  intermediate_size: 6912,
  max_position_embeddings: 32768,
  model_type: 'gemma3_text',
  num_attention_heads: 4,
  num_hidden_layers: 26,
  num_key_value_heads: 1,
  pad_token_id: 0,
  query_pre_attn_scalar: 256,
  rms_norm_eps: 1e-6,
  rope_local_base_freq: 10000,
  rope_scaling: null,
  rope_theta: 1000000,
  sliding_window: 512,
  sliding_window_pattern: 6,
  torch_dtype: 'bfloat16',
  transformers_version: '4.50.0.dev0',
  use_cache: true,
  vocab_size: 262144,
};

const GEMMA_3_4B_IT = {
  architectures: ['Gemma3ForConditionalGeneration'],
  boi_token_index: 255999,
  eoi_token_index: 256000,
  eos_token_id: [1, 106],
  image_token_index: 262144,
  initializer_range: 0.02,
  mm_tokens_per_image: 256,
  model_type: 'gemma3',
  text_config: {
    hidden_size: 2560,
    intermediate_size: 10240,
    model_type: 'gemma3_text',
    num_hidden_layers: 34,
    rope_scaling: { factor: 8.0, rope_type: 'linear' },
    sliding_window: 1024,
  },
  torch_dtype: 'bfloat16',
  transformers_version: '4.50.0.dev0',
  vision_config: {
    hidden_size: 1152,
    image_size: 896,
    intermediate_size: 4304,
    model_type: 'siglip_vision_model',
    num_attention_heads: 16,
    num_hidden_layers: 27,
    patch_size: 14,
    vision_use_head: false,
  },
};

/**
 * Tiny text decoder: 7 layers (layer 5 full attention, the rest sliding with a 16-token window),
 * hidden 64, 4 query heads and 2 KV heads of 32 dims, real 262144-token vocabulary (~34 MB in bf16).
 */
const TINY_TEXT = {
  ...GEMMA_3_1B_IT,
  head_dim: 32,
  hidden_size: 64,
  intermediate_size: 128,
  num_attention_heads: 4,
  num_hidden_layers: 7,
  num_key_value_heads: 2,
  query_pre_attn_scalar: 32,
  sliding_window: 16,
};

const TINY_VLM_IMAGE_SIZE = 224;
const TINY_VLM_TOKENS_PER_IMAGE = 16;

/**
 * Tiny multimodal model: the tiny text decoder with the 4B's 262208-row embedding and linear rope
 * scaling (factor 8 on full layers), a 2-layer SigLIP (hidden 64, 4 heads) on 224x224 images in 14x14
 * patches (16 x 16 = 256 patches), pooled 4 x 4 (as the 4B's 64 -> 16) to 16 tokens per image.
 */
const TINY_VLM = {
  ...GEMMA_3_4B_IT,
  mm_tokens_per_image: TINY_VLM_TOKENS_PER_IMAGE,
  text_config: {
    head_dim: 32,
    hidden_size: 64,
    intermediate_size: 128,
    model_type: 'gemma3_text',
    num_attention_heads: 4,
    num_hidden_layers: 7,
    num_key_value_heads: 2,
    query_pre_attn_scalar: 32,
    rope_scaling: { factor: 8.0, rope_type: 'linear' },
    sliding_window: 16,
  },
  vision_config: {
    hidden_size: 64,
    image_size: TINY_VLM_IMAGE_SIZE,
    intermediate_size: 128,
    model_type: 'siglip_vision_model',
    num_attention_heads: 4,
    num_hidden_layers: 2,
    patch_size: 14,
    vision_use_head: false,
  },
};

const PRESETS: Record<RandomCheckpointPreset, PresetFiles> = {
  'tiny-text': { config: TINY_TEXT, generationConfig: GENERATION_CONFIG },
  'tiny-vlm': {
    config: TINY_VLM,
    generationConfig: GENERATION_CONFIG,
    preprocessorConfig: preprocessor(TINY_VLM_IMAGE_SIZE, TINY_VLM_TOKENS_PER_IMAGE),
    processorConfig: processor(TINY_VLM_TOKENS_PER_IMAGE),
  },
  '1b': { config: GEMMA_3_1B_IT, generationConfig: GENERATION_CONFIG },
  '4b': {
    config: GEMMA_3_4B_IT,
    generationConfig: GENERATION_CONFIG,
    preprocessorConfig: preprocessor(896, 256),
    processorConfig: processor(256),
  },
};

/** A deep copy of the preset's JSON files (released format). */
export function presetFiles(preset: RandomCheckpointPreset): PresetFiles {
  return structuredClone(PRESETS[preset]);
}
