import { Gemma3Error } from '@gemma3/errors';

/** The chat template itself called `raise_exception(message)` (e.g. roles that do not alternate). */
export class ChatTemplateExceptionError extends Gemma3Error {
  /** The template's own message, unchanged. */
  readonly templateMessage: string;

  constructor({ templateMessage }: { templateMessage: string }) {
    super({ code: 'tokenizer/chat-template-exception', message: `chat template: ${templateMessage}` });
    this.templateMessage = templateMessage;
  }
}
