/**
 * The ONNX folder layout transformers.js 4.3.2 loads for Gemma 3 (read from its
 * `src/models/session_config.js`, `modeling_utils.js`, `utils/dtypes.js`, `utils/model-loader.js`):
 *
 * - `Gemma3ForCausalLM` (config `model_type: gemma3_text`): one session, `onnx/model{suffix}.onnx`.
 * - `Gemma3ForConditionalGeneration` (`model_type: gemma3`): `onnx/embed_tokens{suffix}.onnx`,
 *   `onnx/decoder_model_merged{suffix}.onnx`, `onnx/vision_encoder{suffix}.onnx` (the last one is
 *   skipped when a `*ForCausalLM` class loads it text-only).
 * - External data beside each graph: `{file}.onnx_data` (`use_external_data_format` in
 *   config.json's `transformers.js_config`).
 */

export type ExportDtype = 'fp32' | 'q8' | 'q4';

export const EXPORT_DTYPES: readonly ExportDtype[] = ['fp32', 'q8', 'q4'];

/** transformers.js's `DEFAULT_DTYPE_SUFFIX_MAPPING` for the dtypes we write. */
export const DTYPE_SUFFIX: Readonly<Record<ExportDtype, string>> = {
  fp32: '',
  q8: '_quantized',
  q4: '_q4',
};

export const ONNX_SUBFOLDER = 'onnx';

/** Session names (transformers.js's keys) -> base file names. */
export const SessionFiles = {
  /** Text-only causal LM (`MODEL_TYPES.DecoderOnly`). */
  model: 'model',
  /** Multimodal (`MODEL_TYPES.ImageTextToText`). */
  embedTokens: 'embed_tokens',
  decoder: 'decoder_model_merged',
  visionEncoder: 'vision_encoder',
} as const;

export function onnxFileName(base: string, dtype: ExportDtype): string {
  return `${base}${DTYPE_SUFFIX[dtype]}.onnx`;
}

/** transformers.js's external data name: `model_q4.onnx` -> `model_q4.onnx_data`. */
export function dataFileName(onnxFile: string): string {
  return `${onnxFile}_data`;
}

/**
 * Input and output names transformers.js feeds and fetches. Shapes: B batch, T new tokens, P past
 * positions, S = P + T, KV key/value heads, D head_dim, H hidden, V vocab.
 */
export const TjsInputs = {
  /** [B, T] int64 (text-only `model`, and `embed_tokens`). */
  inputIds: 'input_ids',
  /** [B, T, H] float32, already scaled by sqrt(H) (`decoder_model_merged`). */
  inputsEmbeds: 'inputs_embeds',
  /** [B, S] int64: 1 real token, 0 padding; covers the past and the new tokens. */
  attentionMask: 'attention_mask',
  /**
   * [B, T] int64, **1-based** for Gemma 3: transformers.js computes `cumsum(mask)` starting at 1 for
   * `gemma3_text` / `gemma3` (padding gets 1). The graph subtracts 1 before RoPE.
   */
  positionIds: 'position_ids',
  /** [] int64: 0 = logits for all T positions, k > 0 = the last k (1 during generation). */
  numLogitsToKeep: 'num_logits_to_keep',
  /** [B, KV, P, D] float32. */
  pastKey: (layer: number) => `past_key_values.${layer}.key`,
  pastValue: (layer: number) => `past_key_values.${layer}.value`,
  /** [N, C, S, S] float32 (`vision_encoder`). */
  pixelValues: 'pixel_values',
} as const;

export const TjsOutputs = {
  /** [B, K, V] float32. */
  logits: 'logits',
  /** [B, KV, S, D] float32: the past followed by this step's keys. */
  presentKey: (layer: number) => `present.${layer}.key`,
  presentValue: (layer: number) => `present.${layer}.value`,
  /** [B, T, H] float32 (`embed_tokens`). */
  inputsEmbeds: 'inputs_embeds',
  /** [N, M, H] float32 (`vision_encoder`, after the projector). */
  imageFeatures: 'image_features',
} as const;

/** Symbolic dims transformers.js resolves when it creates the empty cache (unknown ones become 0). */
export const Dims = {
  batch: 'batch_size',
  sequence: 'sequence_length',
  past: 'past_sequence_length',
  total: 'total_sequence_length',
} as const;
