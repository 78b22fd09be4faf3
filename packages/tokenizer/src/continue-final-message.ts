import type { ChatContentItem, ChatMessage } from './chat-template.js';
import { ContinueFinalMessageError } from './errors/continue-final-message-error.js';

// transformers' continue_final_message (utils/chat_template_utils.py, render_jinja_template): a tag is
// appended to the final message's last text, the conversation is rendered as usual, and the rendering
// is cut where the tag is, so the final message stays open (no end of turn) for the model to go on.
const TAG = 'CONTINUE_FINAL_MESSAGE_TAG ';

/** The messages with the tag appended to the last text of the final message (copies; input untouched). */
export function tagFinalMessage(messages: readonly ChatMessage[]): ChatMessage[] {
  const last = messages.at(-1);
  if (last === undefined) throw new ContinueFinalMessageError({ reason: 'there are no messages' });
  let tagged: ChatMessage;
  if (typeof last.content === 'string') {
    tagged = { ...last, content: last.content + TAG };
  } else if (Array.isArray(last.content)) {
    const content: ChatContentItem[] = [...last.content];
    let index = content.length - 1;
    while (index >= 0 && typeof (content[index] as { text?: unknown }).text !== 'string') index--;
    if (index < 0) {
      throw new ContinueFinalMessageError({ reason: 'the final message has no text to continue' });
    }
    const item = content[index] as ChatContentItem & { text: string };
    content[index] = { ...item, text: item.text + TAG };
    tagged = { ...last, content };
  } else {
    throw new ContinueFinalMessageError({ reason: 'the final message has no content to continue' });
  }
  return [...messages.slice(0, -1), tagged];
}

/** The rendering up to the tag; trailing spaces before it go when the template trimmed the tag's own. */
export function cutAtTag(rendered: string): string {
  const at = rendered.lastIndexOf(TAG.trim());
  if (at < 0) {
    throw new ContinueFinalMessageError({
      reason: 'the chat template dropped the final message, so there is nothing to continue',
    });
  }
  return rendered.startsWith(TAG, at) ? rendered.slice(0, at) : rendered.slice(0, at).trimEnd();
}
