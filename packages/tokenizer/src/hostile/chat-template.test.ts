import { beforeAll, describe, expect, it } from 'vitest';
import { ChatTemplateExceptionError } from '../errors/chat-template-exception-error.js';
import { ChatTemplateLimitError } from '../errors/chat-template-limit-error.js';
import { ChatTemplateRenderError } from '../errors/chat-template-render-error.js';
import { loadGemmaTokenizer } from '../test-utils/gemma-files.js';
import type { Tokenizer } from '../tokenizer.js';

// Hostile chat templates: each stops with a typed error, quickly and without a large allocation.
const user = [{ role: 'user', content: 'hi' }];

let tokenizer: Tokenizer;
beforeAll(async () => {
  tokenizer = await loadGemmaTokenizer();
});

function errorOf(chatTemplate: string, limits = {}): unknown {
  try {
    tokenizer.applyChatTemplate(user, { chatTemplate, limits });
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('hostile chat templates', () => {
  it('a loop over a huge range stops at maxListLength before allocating it', () => {
    const error = errorOf('{% for i in range(10**12) %}x{% endfor %}');
    expect(error).toBeInstanceOf(ChatTemplateLimitError);
    expect((error as ChatTemplateLimitError).limit).toBe('maxListLength');
  });

  it('nested loops that never end in practice stop at maxSteps', () => {
    const error = errorOf(
      '{% for a in range(100000) %}{% for b in range(100000) %}{{ a }}{% endfor %}{% endfor %}',
      { maxSteps: 50_000 },
    );
    expect(error).toBeInstanceOf(ChatTemplateLimitError);
    expect((error as ChatTemplateLimitError).limit).toBe('maxSteps');
  });

  it('a string doubled in a loop stops at maxStringChars', () => {
    const error = errorOf(
      '{% set ns = namespace(s="ab") %}{% for i in range(64) %}{% set ns.s = ns.s + ns.s %}{% endfor %}{{ ns.s }}',
    );
    expect(error).toBeInstanceOf(ChatTemplateLimitError);
    expect((error as ChatTemplateLimitError).limit).toBe('maxStringChars');
  });

  it('a huge output stops at maxStringChars', () => {
    const error = errorOf('{% for i in range(100000) %}{{ messages[0].content }}0123456789{% endfor %}', {
      maxStringChars: 100_000,
    });
    expect(error).toBeInstanceOf(ChatTemplateLimitError);
  });

  it('a list doubled in a loop stops at maxListLength', () => {
    const error = errorOf(
      '{% set ns = namespace(l=[1]) %}{% for i in range(64) %}{% set ns.l = ns.l + ns.l %}{% endfor %}',
    );
    expect(error).toBeInstanceOf(ChatTemplateLimitError);
    expect((error as ChatTemplateLimitError).limit).toBe('maxListLength');
  });

  it('nested loops with empty bodies still count steps', () => {
    const error = errorOf('{% for a in range(20000) %}{% for b in range(20000) %}{% endfor %}{% endfor %}', {
      maxSteps: 50_000,
    });
    expect(error).toBeInstanceOf(ChatTemplateLimitError);
    expect((error as ChatTemplateLimitError).limit).toBe('maxSteps');
  });

  it('a slow render stops at timeoutMs', () => {
    const error = errorOf('{% for a in range(20000) %}{% for b in range(20000) %}{% endfor %}{% endfor %}', {
      timeoutMs: 50,
      maxSteps: 1e12,
    });
    expect(error).toBeInstanceOf(ChatTemplateLimitError);
    expect((error as ChatTemplateLimitError).limit).toBe('timeoutMs');
  });

  it('unbounded macro recursion is a render error, not a crash', () => {
    const error = errorOf('{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}');
    expect(error).toBeInstanceOf(ChatTemplateRenderError);
  });

  it('a template that does not parse is a render error', () => {
    expect(errorOf('{% for x in %}')).toBeInstanceOf(ChatTemplateRenderError);
  });

  it("the template's raise_exception message is kept", () => {
    const error = errorOf('{{ raise_exception("no tools allowed") }}');
    expect(error).toBeInstanceOf(ChatTemplateExceptionError);
    expect((error as ChatTemplateExceptionError).templateMessage).toBe('no tools allowed');
  });

  it('messages that are not objects with a role are refused', () => {
    expect(() => tokenizer.applyChatTemplate([{ content: 'x' } as never])).toThrow(ChatTemplateRenderError);
    expect(() => tokenizer.applyChatTemplate('hi' as never)).toThrow(ChatTemplateRenderError);
  });

  it('content of an unexpected type hits the template own check', () => {
    expect(() => tokenizer.applyChatTemplate([{ role: 'user', content: 42 as never }])).toThrow(
      ChatTemplateExceptionError,
    );
  });
});

describe('template helpers', () => {
  it('strftime_now formats like Python strftime', async () => {
    const { strftime } = await import('../chat-template.js');
    const date = new Date(2026, 0, 5, 14, 3, 9); // local time
    expect(strftime(date, '%d %b %Y, %A %B %H:%M:%S %I%p %j %y %m %%')).toBe(
      '05 Jan 2026, Monday January 14:03:09 02PM 005 26 01 %',
    );
  });
});
