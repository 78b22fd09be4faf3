import { Fields } from './fields.js';
import { CONFIG_LIMITS as L } from './limits.js';
import { type ModelConfig, textConfigOf } from './model-config.js';

/**
 * generation_config.json with the file's field names. Absent fields take transformers' generation
 * defaults (`GenerationConfig._get_default_generation_params`: max_length 20, do_sample false,
 * temperature 1, top_k 50, top_p 1, repetition_penalty 1) or, for the token ids, the model config's.
 */
export interface GenerationConfig {
  readonly bos_token_id: number | null;
  readonly pad_token_id: number | null;
  /** Stop on any of these (Gemma 3 instruction-tuned: [1, 106] = `<eos>`, `<end_of_turn>`). Always a list. */
  readonly eos_token_id: readonly number[];
  readonly do_sample: boolean;
  readonly temperature: number;
  /** 0 disables top-k. */
  readonly top_k: number;
  readonly top_p: number;
  readonly min_p: number | null;
  readonly repetition_penalty: number;
  /** Prompt + new tokens. */
  readonly max_length: number;
  /** Takes precedence over max_length when set. */
  readonly max_new_tokens: number | null;
  readonly cache_implementation: string | null;
}

export const GENERATION_DEFAULTS = {
  do_sample: false,
  temperature: 1,
  top_k: 50,
  top_p: 1,
  min_p: null,
  repetition_penalty: 1,
  max_length: 20,
  max_new_tokens: null,
  cache_implementation: null,
} as const;

const D = GENERATION_DEFAULTS;

/**
 * Parses generation_config.json contents. Token ids absent from the file come from `model`
 * (for a multimodal config: the top-level eos list if any, else the text config's), as
 * `GenerationConfig.from_model_config` does.
 */
export function parseGenerationConfig(json: unknown, source: string, model?: ModelConfig): GenerationConfig {
  const f = Fields.of(json, source);
  const fallback = model ? tokenIdsOf(model) : { bos_token_id: null, pad_token_id: null, eos_token_id: [] };
  const maxId = model ? textConfigOf(model).vocab_size - 1 : L.maxVocabSize;
  return {
    bos_token_id: f.nullableInt('bos_token_id', fallback.bos_token_id, 0, maxId),
    pad_token_id: f.nullableInt('pad_token_id', fallback.pad_token_id, 0, maxId),
    eos_token_id:
      f.json.eos_token_id === null ? [] : f.intList('eos_token_id', fallback.eos_token_id, 0, maxId),
    do_sample: f.bool('do_sample', D.do_sample),
    temperature: f.number('temperature', D.temperature, 0, 1e6),
    top_k: f.int('top_k', D.top_k, 0, L.maxVocabSize),
    top_p: f.number('top_p', D.top_p, 0, 1),
    min_p: f.nullableNumber('min_p', D.min_p, 0, 1),
    repetition_penalty: f.number('repetition_penalty', D.repetition_penalty, 0, 1e6, true),
    max_length: f.int('max_length', D.max_length, 1, L.maxPositions),
    max_new_tokens: f.nullableInt('max_new_tokens', D.max_new_tokens, 0, L.maxPositions),
    cache_implementation: f.nullableString('cache_implementation', D.cache_implementation),
  };
}

/** The generation config used when a checkpoint has no generation_config.json. */
export function defaultGenerationConfig(model: ModelConfig): GenerationConfig {
  return parseGenerationConfig({}, '(defaults)', model);
}

function tokenIdsOf(model: ModelConfig) {
  const text = textConfigOf(model);
  const eos =
    model.model_type === 'gemma3' && model.eos_token_id.length > 0 ? model.eos_token_id : text.eos_token_id;
  return { bos_token_id: text.bos_token_id, pad_token_id: text.pad_token_id, eos_token_id: [...eos] };
}
