import { Gemma3Error } from '@gemma3/errors';

/**
 * `continueFinalMessage` cannot be honoured: combined with `addGenerationPrompt`, a final message
 * without text, or a template that drops the final message's text (transformers raises ValueError).
 */
export class ContinueFinalMessageError extends Gemma3Error {
  readonly reason: string;

  constructor({ reason }: { reason: string }) {
    super({ code: 'tokenizer/continue-final-message', message: `continueFinalMessage: ${reason}` });
    this.reason = reason;
  }
}
