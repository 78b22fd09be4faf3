/**
 * Names and shapes of the decoder graph's inputs and outputs: the one place the runtime and the
 * graph builder agree on them. Shapes: B batch, T new tokens this step, C cache slots of a layer
 * type (full layers: positions so far, rounded up; sliding layers: a ring of sliding_window - 1),
 * K positions whose logits are wanted, KV key/value heads, D head_dim, H hidden_size, V vocab.
 */
export const DecoderInputs = {
  /** [B, T] int64 token ids (image placeholders already replaced by 0). */
  inputIds: 'input_ids',
  /** [B, T] int64 RoPE positions (left padding: a row's first real token is 0). */
  positionIds: 'position_ids',
  /** [B, 1, T, C_sliding + T] float additive bias (0 or float32 lowest) for sliding layers. */
  biasSliding: 'attention_bias_sliding',
  /** [B, 1, T, C_full + T] float additive bias for full-attention layers. */
  biasFull: 'attention_bias_full',
  /** [K] int64 positions (0..T-1) whose logits/hidden states are computed: [T-1] for generation. */
  outputPositions: 'output_positions',
  /** [B, KV, C, D] float: cached keys of layer i (after k_norm and RoPE), JS-owned, passed zero-copy. */
  pastKey: (layer: number) => `past_key.${layer}`,
  pastValue: (layer: number) => `past_value.${layer}`,
  /** With `embedsOverride`: [B, T, H] float embeddings used where the mask is true (image features). */
  embedsOverride: 'inputs_embeds_override',
  /** With `embedsOverride`: [B, T, 1] bool. */
  embedsOverrideMask: 'inputs_embeds_override_mask',
} as const;

export const DecoderOutputs = {
  /** [B, K, V] float (variant `logits`). */
  logits: 'logits',
  /** [B, K, H] float after the final norm (variant `hidden`). */
  hiddenStates: 'hidden_states',
  /** [B, KV, T, D] float: keys of this step's tokens for layer i, to be written into the cache. */
  newKey: (layer: number) => `new_key.${layer}`,
  newValue: (layer: number) => `new_value.${layer}`,
} as const;

export type DecoderOutputKind = 'logits' | 'hidden';

export interface DecoderGraphOptions {
  /**
   * `logits` (Gemma3ForCausalLM), `hidden` (Gemma3TextModel: final-norm hidden states, no LM head) or
   * `cache`: only the new keys/values (no `output_positions`, final norm or head; the last layer stops
   * after its keys/values): the prefill graph that runs beside a decode graph over the same cache.
   */
  output: DecoderOutputKind | 'cache';
  /** Adds the `inputs_embeds_override` inputs (the multimodal model scatters image features through them). */
  embedsOverride: boolean;
}
