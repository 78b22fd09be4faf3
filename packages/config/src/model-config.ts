import { ConfigValidationError } from './errors/config-validation-error.js';
import { Fields } from './fields.js';
import { type Gemma3TextConfig, parseTextConfigObject } from './text-config.js';
import { parseVisionConfigObject, type SiglipVisionConfig } from './vision-config.js';

/** config.json of a multimodal Gemma 3 (`model_type: gemma3`), defaults from transformers 5.18 `Gemma3Config`. */
export interface Gemma3Config {
  readonly model_type: 'gemma3';
  readonly text_config: Gemma3TextConfig;
  readonly vision_config: SiglipVisionConfig;
  /** Image tokens per image after the projector's average pooling (a square: 256 = 16 x 16). */
  readonly mm_tokens_per_image: number;
  /** `<start_of_image>` id. */
  readonly boi_token_index: number;
  /** `<end_of_image>` id. */
  readonly eoi_token_index: number;
  /**
   * `<image_soft_token>` id (262144 on released models). May be >= text_config.vocab_size: the reference
   * then replaces it by 0 before the embedding lookup (its rows are never read), so it is only bounded
   * to [0, 2^31 - 1].
   */
  readonly image_token_index: number;
  readonly initializer_range: number;
  readonly tie_word_embeddings: boolean;
  /** Top-level eos ids (released: [1, 106]); empty when absent. Always a list. */
  readonly eos_token_id: readonly number[];
  readonly dtype: string | null;
}

/** Either kind of config.json, told apart by `model_type`. */
export type ModelConfig = Gemma3TextConfig | Gemma3Config;

export const GEMMA3_DEFAULTS = {
  mm_tokens_per_image: 256,
  boi_token_index: 255_999,
  eoi_token_index: 256_000,
  image_token_index: 262_144,
  initializer_range: 0.02,
  tie_word_embeddings: true,
} as const;

const D = GEMMA3_DEFAULTS;

/** Largest id that fits an int32 input tensor. */
const MAX_TOKEN_ID = 2 ** 31 - 1;

/** Parses config.json contents (either model_type). `source` names the file in errors. */
export function parseModelConfig(json: unknown, source: string): ModelConfig {
  const f = Fields.of(json, source);
  const modelType = f.string('model_type', undefined);
  if (modelType === 'gemma3_text') return parseTextConfigObject(json, source);
  if (modelType === 'gemma3') return parseMultimodalConfig(f);
  throw new ConfigValidationError({
    file: source,
    field: 'model_type',
    reason: `unknown model_type ${JSON.stringify(modelType)} (expected gemma3_text or gemma3)`,
  });
}

/** Parses a gemma3_text config.json; any other model_type is an error. */
export function parseTextConfig(json: unknown, source: string): Gemma3TextConfig {
  const config = parseModelConfig(json, source);
  if (config.model_type !== 'gemma3_text') {
    throw new ConfigValidationError({ file: source, field: 'model_type', reason: 'expected gemma3_text' });
  }
  return config;
}

/** The text decoder's config of either kind. */
export function textConfigOf(config: ModelConfig): Gemma3TextConfig {
  return config.model_type === 'gemma3' ? config.text_config : config;
}

function parseMultimodalConfig(f: Fields): Gemma3Config {
  const text_config = parseTextConfigObject(f.json.text_config ?? {}, f.file, 'text_config');
  const vision_config = parseVisionConfigObject(f.json.vision_config ?? {}, f.file, 'vision_config');
  const mm = f.int('mm_tokens_per_image', D.mm_tokens_per_image, 1, 1 << 20);
  const side = Math.round(Math.sqrt(mm));
  if (side * side !== mm) f.fail('mm_tokens_per_image', `must be a square number, got ${mm}`);
  const patchesPerSide = vision_config.image_size / vision_config.patch_size;
  if (patchesPerSide % side !== 0) {
    f.fail(
      'mm_tokens_per_image',
      `sqrt(mm_tokens_per_image) = ${side} must divide the patch grid side image_size / patch_size = ${patchesPerSide}`,
    );
  }
  const tokenMax = text_config.vocab_size - 1;
  const dtype = f.has('dtype') ? f.nullableString('dtype', null) : f.nullableString('torch_dtype', null);
  return {
    model_type: 'gemma3',
    text_config,
    vision_config,
    mm_tokens_per_image: mm,
    boi_token_index: f.int('boi_token_index', D.boi_token_index, 0, tokenMax),
    eoi_token_index: f.int('eoi_token_index', D.eoi_token_index, 0, tokenMax),
    image_token_index: f.int('image_token_index', D.image_token_index, 0, MAX_TOKEN_ID),
    initializer_range: f.number('initializer_range', D.initializer_range, 0, 1e3),
    tie_word_embeddings: f.bool('tie_word_embeddings', D.tie_word_embeddings),
    eos_token_id: f.json.eos_token_id === null ? [] : f.intList('eos_token_id', [], 0, tokenMax),
    dtype,
  };
}
