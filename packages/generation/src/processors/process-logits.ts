import { applyMinP } from './min-p.js';
import { applyRepetitionPenalty } from './repetition-penalty.js';
import { suppressTokens } from './suppress-tokens.js';
import { applyTemperature } from './temperature.js';
import { applyTopK } from './top-k.js';
import { applyTopP } from './top-p.js';

/** The processing settings of one generation, already validated (see resolveGenerationOptions). */
export interface LogitsProcessing {
  /** false: greedy; the warpers (temperature, top-k, top-p, min-p) are not applied. */
  doSample: boolean;
  repetitionPenalty: number;
  temperature: number;
  /** 0 disables. */
  topK: number;
  /** 1 disables. */
  topP: number;
  /** 0 disables. */
  minP: number;
  minNewTokens: number;
  eosTokenIds: readonly number[];
}

/**
 * Runs the processors on one row [V] in place, in transformers' order: repetition penalty, minimum
 * new tokens (eos suppressed), then, when sampling, temperature, top-k, top-p, min-p.
 *
 * `seenIds`: the distinct ids of the row's sequence so far; `newTokens`: how many were generated.
 */
export function processLogits(
  scores: Float32Array,
  processing: LogitsProcessing,
  seenIds: Iterable<number>,
  newTokens: number,
): void {
  applyRepetitionPenalty(scores, seenIds, processing.repetitionPenalty);
  if (newTokens < processing.minNewTokens) suppressTokens(scores, processing.eosTokenIds);
  if (!processing.doSample) return;
  applyTemperature(scores, processing.temperature);
  applyTopK(scores, processing.topK);
  applyTopP(scores, processing.topP);
  applyMinP(scores, processing.minP);
}
