import { parseModelConfig } from '@gemma3/config';

/** How config.json is written: as the released checkpoints have it, or as transformers >= 5 saves it. */
export type ConfigFormat = 'released' | 'transformers-v5';

export const CONFIG_FORMATS: readonly ConfigFormat[] = ['released', 'transformers-v5'];

const RELEASED_ONLY = ['rope_theta', 'rope_local_base_freq', 'rope_scaling', 'sliding_window_pattern'];

/**
 * Rewrites a released-format config.json in the transformers >= 5 format: `layer_types` and
 * `rope_parameters` (per layer type) replace rope_theta / rope_local_base_freq / rope_scaling /
 * sliding_window_pattern, and `dtype` replaces `torch_dtype`. Both parse to the same @gemma3/config object.
 */
export function toTransformersV5Config(released: Record<string, unknown>): Record<string, unknown> {
  const parsed = parseModelConfig(released, 'config.json');
  if (parsed.model_type === 'gemma3_text') return { ...rewriteText(released, parsed), ...dtypeOf(released) };
  const { torch_dtype: _, ...rest } = released;
  return {
    ...rest,
    ...dtypeOf(released),
    text_config: rewriteText(released.text_config as Record<string, unknown>, parsed.text_config),
  };
}

function rewriteText(
  json: Record<string, unknown>,
  parsed: { layer_types: readonly string[]; rope_parameters: unknown },
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(json)) {
    if (!RELEASED_ONLY.includes(key) && key !== 'torch_dtype') out[key] = value;
  }
  out.layer_types = [...parsed.layer_types];
  out.rope_parameters = structuredClone(parsed.rope_parameters);
  return out;
}

function dtypeOf(json: Record<string, unknown>): Record<string, unknown> {
  return json.torch_dtype === undefined ? {} : { dtype: json.torch_dtype };
}
