import type { DecodeFunction } from './decode-function.js';
import { ContextLengthExceededError } from './errors/context-length-exceeded-error.js';
import { InvalidGenerationOptionError } from './errors/invalid-generation-option-error.js';
import { randomSeed } from './random.js';

// The checks generate() and ContinuousBatcher make on a request's options, before the model runs.

/** Stop strings need a decode function and must be non-empty strings. */
export function checkStopStrings(stopStrings: readonly string[], decode: DecodeFunction | undefined): void {
  if (stopStrings.length > 0 && decode === undefined) {
    throw new InvalidGenerationOptionError({
      option: 'decode',
      value: undefined,
      rule: 'is required with stopStrings',
    });
  }
  if (stopStrings.some((s) => typeof s !== 'string' || s.length === 0)) {
    throw new InvalidGenerationOptionError({
      option: 'stopStrings',
      value: stopStrings,
      rule: 'must be non-empty strings',
    });
  }
}

/** Prompt plus new tokens must fit the model's context. */
export function checkContext(promptLength: number, maxNewTokens: number, maxContextLength: number): void {
  if (promptLength + maxNewTokens > maxContextLength) {
    throw new ContextLengthExceededError({ promptLength, maxNewTokens, maxContextLength });
  }
}

/** The given seed, checked, or a random one. */
export function seedOf(seed: number | undefined): number {
  const chosen = seed ?? randomSeed();
  if (!Number.isSafeInteger(chosen) || chosen < 0) {
    throw new InvalidGenerationOptionError({
      option: 'seed',
      value: chosen,
      rule: 'must be a non-negative safe integer',
    });
  }
  return chosen;
}
