import type { PipelineMessage } from './messages.js';

/** Options for conversation input. */
export interface ChatCallOptions {
  /**
   * Continue the final message instead of answering it: it is left open (no `<end_of_turn>`, no
   * generation prompt) and the model writes on from its last character, as transformers' pipelines'
   * `continue_final_message`. Default: true when the final message is the assistant's (a prefill, e.g.
   * `{ role: 'assistant', content: '{' }`), else false. The returned `messages` then end with that
   * message, the generated text appended to it.
   */
  continueFinalMessage?: boolean;
}

/** Whether a conversation's final message is continued: the option, else whether it is the assistant's. */
export function continuesFinalMessage(
  messages: readonly PipelineMessage[],
  options: ChatCallOptions,
): boolean {
  return options.continueFinalMessage ?? messages.at(-1)?.role === 'assistant';
}

/** The conversation after generation: `text` appended to the final message, or as a new assistant turn. */
export function appendAnswer(
  messages: readonly PipelineMessage[],
  text: string,
  continued: boolean,
): PipelineMessage[] {
  const last = messages.at(-1);
  if (!continued || last === undefined) return [...messages, { role: 'assistant', content: text }];
  let content: PipelineMessage['content'];
  if (typeof last.content === 'string') {
    content = last.content + text;
  } else {
    const items = [...last.content];
    let index = items.length - 1;
    while (index >= 0 && items[index]!.type !== 'text') index--;
    const item = items[index];
    if (item?.type === 'text') items[index] = { ...item, text: item.text + text };
    else items.push({ type: 'text', text });
    content = items;
  }
  return [...messages.slice(0, -1), { ...last, content }];
}
