import { Gemma3Error } from '@gemma3/errors';

/** Rendering a chat template went past a bound (steps, time, characters produced, list size) and was stopped. */
export class ChatTemplateLimitError extends Gemma3Error {
  readonly limit: 'maxSteps' | 'timeoutMs' | 'maxStringChars' | 'maxListLength';
  readonly value: number;

  constructor({ limit, value }: { limit: ChatTemplateLimitError['limit']; value: number }) {
    super({
      code: 'tokenizer/chat-template-limit',
      message: `chat template rendering stopped: exceeded ${limit} = ${value}`,
    });
    this.limit = limit;
    this.value = value;
  }
}
