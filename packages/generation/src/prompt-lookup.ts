import { InvalidGenerationOptionError } from './errors/invalid-generation-option-error.js';
import type { GenerationConfigLike } from './generation-options.js';

/**
 * Prompt lookup decoding (speculative decoding without a second model): draft tokens are copied from
 * earlier in the sequence, after an earlier occurrence of its last n-gram, and checked in one forward
 * pass. transformers' `prompt_lookup_num_tokens` / `max_matching_ngram_size`.
 */
export interface PromptLookupOptions {
  /** Most draft tokens per verify step (transformers' prompt_lookup_num_tokens). Default 10. */
  draftTokens?: number;
  /** Longest n-gram searched for, tried first (transformers' max_matching_ngram_size). Default 2. */
  maxNgram?: number;
  /** Shortest n-gram searched for. Default 1 (as transformers). */
  minNgram?: number;
}

export interface ResolvedPromptLookup {
  draftTokens: number;
  maxNgram: number;
  minNgram: number;
}

const DEFAULTS: ResolvedPromptLookup = { draftTokens: 10, maxNgram: 2, minNgram: 1 };

/**
 * The prompt lookup settings of one generation, or undefined when off. On when `option` is `true` or
 * an object, or when the config sets `prompt_lookup_num_tokens` (its `max_matching_ngram_size` is
 * read too); `false` turns it off whatever the config says.
 */
export function resolvePromptLookup(
  option: boolean | PromptLookupOptions | undefined,
  config: GenerationConfigLike | undefined,
): ResolvedPromptLookup | undefined {
  if (option === false) return undefined;
  const fields = config as Readonly<Record<string, unknown>> | undefined;
  const fromConfig = (snake: string, camel: string): unknown =>
    fields?.[camel] ?? fields?.[snake] ?? undefined;
  const configTokens = fromConfig('prompt_lookup_num_tokens', 'promptLookupNumTokens');
  const configNgram = fromConfig('max_matching_ngram_size', 'maxMatchingNgramSize');
  if (option === undefined && configTokens === undefined) return undefined;
  if (option !== undefined && option !== true && (typeof option !== 'object' || option === null)) {
    throw new InvalidGenerationOptionError({
      option: 'promptLookup',
      value: option,
      rule: 'must be true, false or { draftTokens, maxNgram, minNgram }',
    });
  }
  const given = typeof option === 'object' ? option : {};
  const draftTokens = given.draftTokens ?? configTokens ?? DEFAULTS.draftTokens;
  const maxNgram = given.maxNgram ?? configNgram ?? DEFAULTS.maxNgram;
  const minNgram = given.minNgram ?? DEFAULTS.minNgram;
  positiveInteger('promptLookup.draftTokens', draftTokens);
  positiveInteger('promptLookup.maxNgram', maxNgram);
  positiveInteger('promptLookup.minNgram', minNgram);
  if ((minNgram as number) > (maxNgram as number)) {
    throw new InvalidGenerationOptionError({
      option: 'promptLookup.minNgram',
      value: minNgram,
      rule: `must be <= maxNgram ${maxNgram}`,
    });
  }
  return { draftTokens, maxNgram, minNgram } as ResolvedPromptLookup;
}

function positiveInteger(option: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new InvalidGenerationOptionError({ option, value, rule: 'must be an integer >= 1' });
  }
}

/**
 * Draft tokens for `sequence` (prompt + generated so far, real tokens only): for n from
 * min(maxNgram, length - 1) down to minNgram, the first (leftmost) earlier occurrence of the last n
 * tokens that is followed by at least one token gives up to `limit` of the tokens that follow it
 * (never past the end of the sequence). Empty when nothing matches. transformers'
 * `PromptLookupCandidateGenerator` rule (without its forbidden-token and eos trimming, which only
 * change what is tried, not what is generated).
 */
export function findDraft(
  sequence: readonly number[],
  settings: ResolvedPromptLookup,
  limit = settings.draftTokens,
): number[] {
  const length = sequence.length;
  if (limit < 1) return [];
  for (let n = Math.min(settings.maxNgram, length - 1); n >= settings.minNgram; n--) {
    const suffix = length - n;
    // A match starting at i is followed by tokens i + n .. length - 1; i = suffix would be the suffix itself.
    for (let i = 0; i < suffix; i++) {
      let k = 0;
      while (k < n && sequence[i + k] === sequence[suffix + k]) k++;
      if (k === n) {
        const start = i + n;
        return sequence.slice(start, Math.min(start + limit, length));
      }
    }
  }
  return [];
}
