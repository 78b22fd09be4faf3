import { Gemma3Error } from '@gemma3/errors';

/**
 * The prompt (padded length) plus the requested new tokens do not fit in the model's context.
 * Nothing is truncated silently: shorten the prompt or lower maxNewTokens.
 */
export class ContextLengthExceededError extends Gemma3Error {
  readonly promptLength: number;
  readonly maxNewTokens: number;
  readonly maxContextLength: number;

  constructor({
    promptLength,
    maxNewTokens,
    maxContextLength,
  }: { promptLength: number; maxNewTokens: number; maxContextLength: number }) {
    const message =
      promptLength >= maxContextLength
        ? `The prompt has ${promptLength} tokens but the model's context holds ${maxContextLength}; shorten the prompt (no room for any new token)`
        : `The prompt has ${promptLength} tokens and maxNewTokens is ${maxNewTokens}: ${promptLength + maxNewTokens} > the model's context of ${maxContextLength}; lower maxNewTokens to at most ${maxContextLength - promptLength} or shorten the prompt`;
    super({ code: 'generation/context-length-exceeded', message });
    this.promptLength = promptLength;
    this.maxNewTokens = maxNewTokens;
    this.maxContextLength = maxContextLength;
  }
}
