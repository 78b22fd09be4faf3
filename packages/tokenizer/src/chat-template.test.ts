import { beforeAll, describe, expect, it } from 'vitest';
import type { ChatMessage } from './chat-template.js';
import { ChatTemplateExceptionError } from './errors/chat-template-exception-error.js';
import { ContinueFinalMessageError } from './errors/continue-final-message-error.js';
import { loadGemmaTokenizer, readFixture } from './test-utils/gemma-files.js';
import type { Tokenizer } from './tokenizer.js';

// Renderings by transformers' apply_chat_template (tools/reference/tokenizer/make_fixtures.py): exact strings.
interface ChatCase {
  name: string;
  messages: ChatMessage[];
  addGenerationPrompt: boolean;
  continueFinalMessage?: boolean;
  text?: string;
  ids?: number[];
  hfIds?: number[];
  error?: string;
  /** transformers' ValueError (continueFinalMessage cases): ours is a ContinueFinalMessageError. */
  valueError?: string;
}
const chat = readFixture<{ cases: ChatCase[]; special: Record<string, unknown> }>('chat.json');

let tokenizer: Tokenizer;
beforeAll(async () => {
  tokenizer = await loadGemmaTokenizer();
});

describe('chat template parity with transformers', () => {
  const rendered = chat.cases.filter((c) => c.text !== undefined);
  const raising = chat.cases.filter((c) => c.error !== undefined);

  it.each(rendered.map((c) => [c.name, c] as const))('renders %s', (_name, c) => {
    const options = {
      addGenerationPrompt: c.addGenerationPrompt,
      continueFinalMessage: c.continueFinalMessage ?? false,
    };
    expect(tokenizer.applyChatTemplate(c.messages, options)).toBe(c.text);
    const ids = tokenizer.applyChatTemplate(c.messages, { ...options, tokenize: true });
    expect(ids).toEqual(c.hfIds);
    expect(ids.filter((id) => id === 2)).toHaveLength(1); // exactly one <bos>
  });

  it.each(raising.map((c) => [c.name, c] as const))('raise_exception in %s is a typed error', (_name, c) => {
    let caught: unknown;
    try {
      tokenizer.applyChatTemplate(c.messages, { addGenerationPrompt: c.addGenerationPrompt });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ChatTemplateExceptionError);
    expect((caught as ChatTemplateExceptionError).templateMessage).toBe(c.error);
  });

  const refused = chat.cases.filter((c) => c.valueError !== undefined);
  it.each(refused.map((c) => [c.name, c] as const))(
    '%s is refused as transformers refuses it',
    (_name, c) => {
      const options = { addGenerationPrompt: c.addGenerationPrompt, continueFinalMessage: true };
      expect(() => tokenizer.applyChatTemplate(c.messages, options)).toThrow(ContinueFinalMessageError);
    },
  );

  it('has continueFinalMessage cases: rendered open, and refused', () => {
    const continued = rendered.filter((c) => c.continueFinalMessage);
    expect(continued.length).toBeGreaterThanOrEqual(8);
    expect(refused.length).toBe(2);
    for (const c of continued) expect(c.text?.endsWith('<end_of_turn>\n')).toBe(false);
  });

  it('reads special ids and padding side as transformers does', () => {
    const { paddingSide, ...ids } = chat.special;
    expect(tokenizer.specialTokenIds).toEqual(ids);
    expect(tokenizer.paddingSide).toBe(paddingSide);
  });
});
