/** Hugging Face decoder tensor name (relative to the decoder prefix) -> llama.cpp GGUF name. */
const LAYER_NAMES: Record<string, string> = {
  'input_layernorm.weight': 'attn_norm.weight',
  'self_attn.q_proj.weight': 'attn_q.weight',
  'self_attn.k_proj.weight': 'attn_k.weight',
  'self_attn.v_proj.weight': 'attn_v.weight',
  'self_attn.o_proj.weight': 'attn_output.weight',
  'self_attn.q_norm.weight': 'attn_q_norm.weight',
  'self_attn.k_norm.weight': 'attn_k_norm.weight',
  'post_attention_layernorm.weight': 'post_attention_norm.weight',
  'pre_feedforward_layernorm.weight': 'ffn_norm.weight',
  'post_feedforward_layernorm.weight': 'post_ffw_norm.weight',
  'mlp.gate_proj.weight': 'ffn_gate.weight',
  'mlp.up_proj.weight': 'ffn_up.weight',
  'mlp.down_proj.weight': 'ffn_down.weight',
};

/** Per-layer tensors in the order they are written. */
export const GEMMA3_LAYER_TENSORS = Object.keys(LAYER_NAMES);

/** GGUF name of a decoder tensor, or undefined for names outside the Gemma 3 text decoder. */
export function ggufTensorName(hfName: string): string | undefined {
  if (hfName === 'embed_tokens.weight') return 'token_embd.weight';
  if (hfName === 'norm.weight') return 'output_norm.weight';
  const match = /^layers\.(\d+)\.(.+)$/.exec(hfName);
  if (match === null) return undefined;
  const suffix = LAYER_NAMES[match[2] as string];
  return suffix === undefined ? undefined : `blk.${match[1]}.${suffix}`;
}

/**
 * Gemma's RMSNorm multiplies by (1 + w); llama.cpp's by w, so the converter stores w + 1 for every
 * norm weight (convert_hf_to_gguf.py Gemma3Model: names ending in "norm.weight").
 */
export function isGemmaNorm(hfName: string): boolean {
  return hfName.endsWith('norm.weight');
}
