/**
 * Names and shapes of the vision graph's inputs and outputs. N images, C channels, S image size,
 * P = (S / patch)^2 patches, Hv vision hidden size, M = mm_tokens_per_image, Ht text hidden size.
 */
export const VisionInputs = {
  /** [N, C, S, S] float32, processed pixels (rescaled and normalized, channels first). */
  pixelValues: 'pixel_values',
} as const;

export const VisionOutputs = {
  /** [N, P, Hv] SigLIP output after post_layernorm. */
  lastHiddenState: 'vision_last_hidden_state',
  /** [N, M, Ht] projected image features, ready to be scattered into the text embeddings. */
  imageFeatures: 'image_features',
} as const;

/**
 * How the vision self-attention is built:
 * - `fused`: onnxruntime's `com.microsoft.MultiHeadAttention` (q/k/v biases folded in, no [N, heads, P, P]
 *   score tensor held between ops);
 * - `ops`: plain MatMul / Softmax / MatMul (every op in the default domain).
 */
export type VisionAttentionKind = 'fused' | 'ops';

export interface VisionGraphOptions {
  attention: VisionAttentionKind;
}
