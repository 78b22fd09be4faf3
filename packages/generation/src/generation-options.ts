import { InvalidGenerationOptionError } from './errors/invalid-generation-option-error.js';
import type { CacheKind } from './generation-model.js';
import type { LogitsProcessing } from './processors/process-logits.js';

/**
 * Generation defaults as a model ships them: the parsed `generation_config.json` object as is
 * (snake_case, e.g. `{ "do_sample": true, "top_k": 64, "top_p": 0.95, "eos_token_id": [1, 106],
 * "pad_token_id": 0 }`), which is also what `@gemma3/config`'s `GenerationConfig` is. camelCase keys
 * (`topK`) are read too and win over snake_case ones. `null` means unset; unknown fields are ignored.
 */
export type GenerationConfigLike = object;

/** Options that have defaults in a generation config; each explicit option wins over the config. */
export interface GenerationSettings {
  /**
   * Tokens to generate at most per row. Default: config max_new_tokens, else 20 (transformers'
   * default of max_length 20 counts the prompt too; a config's max_length is not read).
   */
  maxNewTokens?: number;
  /** eos ids are suppressed until this many tokens were generated. Default 0. */
  minNewTokens?: number;
  /** Sample (true) or take the argmax (false). Default false (config do_sample). temperature 0 forces greedy. */
  doSample?: boolean;
  /** > 0 divides the logits when sampling; 0 means greedy. Default 1. */
  temperature?: number;
  /** Keep the k best tokens when sampling; 0 disables. Default 50 (transformers' default). */
  topK?: number;
  /** Nucleus mass in (0, 1]; 1 disables. Default 1. */
  topP?: number;
  /** In [0, 1]; 0 disables. Default 0 (off). */
  minP?: number;
  /** > 0; 1 disables. Default 1. */
  repetitionPenalty?: number;
  /** One id or several (Gemma 3: [1, 106]). Default: config eos_token_id; none: only length stops. */
  eosTokenId?: number | readonly number[];
  /** Fed to (and appended for) rows that finished. Default: config pad_token_id, else the first eos id. */
  padTokenId?: number;
  /** KV cache kind. Default: 'static' when config cache_implementation is "static", else 'dynamic'. */
  cache?: CacheKind;
}

export interface ResolvedSettings extends LogitsProcessing {
  maxNewTokens: number;
  padTokenId: number | undefined;
  cache: CacheKind;
}

const DEFAULT_MAX_NEW_TOKENS = 20;

/** Merges explicit settings over a generation config over the defaults, and validates every value. */
export function resolveSettings(
  settings: GenerationSettings,
  config: GenerationConfigLike | undefined,
): ResolvedSettings {
  const fields = config as Readonly<Record<string, unknown>> | undefined;
  const fromConfig = (snake: string, camel: string): unknown => {
    if (fields === undefined) return undefined;
    const value = fields[camel] ?? fields[snake];
    return value === null ? undefined : value;
  };
  const pick = <T>(explicit: T | undefined, snake: string, camel: string, fallback: T): unknown =>
    explicit ?? fromConfig(snake, camel) ?? fallback;

  const maxNewTokens = integer(
    'maxNewTokens',
    pick(settings.maxNewTokens, 'max_new_tokens', 'maxNewTokens', DEFAULT_MAX_NEW_TOKENS),
    1,
  );
  const minNewTokens = integer(
    'minNewTokens',
    pick(settings.minNewTokens, 'min_new_tokens', 'minNewTokens', 0),
    0,
  );
  const temperature = number(
    'temperature',
    pick(settings.temperature, 'temperature', 'temperature', 1),
    (t) => t >= 0,
    'must be >= 0 (0 means greedy)',
  );
  const doSampleRaw = pick(settings.doSample, 'do_sample', 'doSample', false);
  if (typeof doSampleRaw !== 'boolean') {
    throw new InvalidGenerationOptionError({
      option: 'doSample',
      value: doSampleRaw,
      rule: 'must be a boolean',
    });
  }
  const topK = integer('topK', pick(settings.topK, 'top_k', 'topK', 50), 0);
  const topP = number(
    'topP',
    pick(settings.topP, 'top_p', 'topP', 1),
    (p) => p > 0 && p <= 1,
    'must be in (0, 1]',
  );
  const minP = number(
    'minP',
    pick(settings.minP, 'min_p', 'minP', 0),
    (p) => p >= 0 && p <= 1,
    'must be in [0, 1]',
  );
  const repetitionPenalty = number(
    'repetitionPenalty',
    pick(settings.repetitionPenalty, 'repetition_penalty', 'repetitionPenalty', 1),
    (p) => p > 0,
    'must be > 0 (1 disables)',
  );
  const eosTokenIds = tokenIdList('eosTokenId', pick(settings.eosTokenId, 'eos_token_id', 'eosTokenId', []));
  const padRaw = pick(settings.padTokenId, 'pad_token_id', 'padTokenId', eosTokenIds[0]);
  const padTokenId = padRaw === undefined ? undefined : integer('padTokenId', padRaw, 0);
  const cacheRaw = settings.cache ?? fromConfig('cache_implementation', 'cacheImplementation');
  const cache: CacheKind = cacheRaw === 'static' ? 'static' : 'dynamic';
  if (settings.cache !== undefined && settings.cache !== 'static' && settings.cache !== 'dynamic') {
    throw new InvalidGenerationOptionError({
      option: 'cache',
      value: settings.cache,
      rule: "must be 'dynamic' or 'static'",
    });
  }
  return {
    maxNewTokens,
    minNewTokens,
    doSample: doSampleRaw && temperature > 0,
    temperature: temperature === 0 ? 1 : temperature,
    topK,
    topP,
    minP,
    repetitionPenalty,
    eosTokenIds,
    padTokenId,
    cache,
  };
}

function integer(option: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new InvalidGenerationOptionError({ option, value, rule: `must be an integer >= ${min}` });
  }
  return value;
}

function number(option: string, value: unknown, ok: (v: number) => boolean, rule: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || !ok(value)) {
    throw new InvalidGenerationOptionError({ option, value, rule });
  }
  return value;
}

function tokenIdList(option: string, value: unknown): number[] {
  const list = typeof value === 'number' ? [value] : value;
  if (!Array.isArray(list)) {
    throw new InvalidGenerationOptionError({
      option,
      value,
      rule: 'must be a token id or an array of token ids',
    });
  }
  for (const id of list) integer(option, id, 0);
  return [...new Set(list as number[])];
}
