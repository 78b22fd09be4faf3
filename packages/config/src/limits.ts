/**
 * Upper bounds on every size a config may declare. They are generous enough for Gemma 3 27B (hidden 5376,
 * intermediate 21504, 62 layers, 32 heads, vocab 262208, 128k context) with room to spare, and small
 * enough that no buffer a later package allocates from them can explode.
 */
export const CONFIG_LIMITS = {
  /** vocab_size (Gemma 3: 262144 / 262208). */
  maxVocabSize: 1 << 20,
  /** hidden_size of the text model (27B: 5376). */
  maxHiddenSize: 1 << 15,
  /** intermediate_size of the text MLP (27B: 21504). */
  maxIntermediateSize: 1 << 17,
  /** num_hidden_layers (27B: 62). */
  maxLayers: 512,
  /** num_attention_heads / num_key_value_heads (27B: 32). */
  maxHeads: 256,
  /** head_dim (Gemma 3: 256; 27B query_pre_attn_scalar 168). */
  maxHeadDim: 1024,
  /** max_position_embeddings and sliding_window (Gemma 3: 131072). */
  maxPositions: 1 << 21,
  /** sliding_window_pattern. */
  maxSlidingWindowPattern: 512,
  /** vision hidden_size (SigLIP So400m: 1152). */
  maxVisionHiddenSize: 1 << 13,
  /** vision intermediate_size (SigLIP So400m: 4304). */
  maxVisionIntermediateSize: 1 << 15,
  /** vision num_hidden_layers (27). */
  maxVisionLayers: 256,
  /** vision image_size in pixels (896). */
  maxImageSize: 4096,
  /** vision num_channels (3). */
  maxChannels: 4,
  /** Largest single weight matrix, in elements (27B embedding: 262208 x 5376 = 1.41e9). */
  maxTensorElements: 2 ** 32,
} as const;
