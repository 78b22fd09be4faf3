import { Gemma3Error } from '@gemma3/errors';

/** The chat template is missing, does not parse, or fails while rendering (other than raise_exception). */
export class ChatTemplateRenderError extends Gemma3Error {
  readonly reason: string;

  constructor({ reason, cause }: { reason: string; cause?: unknown }) {
    super({ code: 'tokenizer/chat-template-render', message: `chat template: ${reason}`, cause });
    this.reason = reason;
  }
}
