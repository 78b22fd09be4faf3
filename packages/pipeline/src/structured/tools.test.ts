import { describe, expect, test } from 'vitest';
import {
  callableTools,
  parseToolCall,
  renderToolConversation,
  TOOL_CALL_CLOSE,
  TOOL_CALL_OPEN,
  toolsPrompt,
} from './tools.js';

describe('prompt-based tool calling for Gemma 3', () => {
  const tools = [
    {
      name: 'add',
      description: 'Adds',
      parameters: { type: 'object', properties: { a: { type: 'number' } } },
    },
  ];

  test('tools join the system turn, calls and results become fenced blocks in alternating turns', () => {
    const prompt = toolsPrompt(tools, 'auto');
    const out = renderToolConversation(
      [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'What is 1 + 2?' },
        { role: 'assistant', content: '', toolCalls: [{ id: 'c1', name: 'add', arguments: '{"a":1}' }] },
        { role: 'tool', toolCallId: 'c1', content: '3' },
        { role: 'user', content: 'Thanks. And 2 + 2?' },
      ],
      prompt,
    );
    expect(out.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(out[0]!.content).toBe(`Be brief.\n\n${prompt}`);
    expect(out[2]!.content).toBe(`${TOOL_CALL_OPEN}{"name":"add","parameters":{"a":1}}${TOOL_CALL_CLOSE}`);
    expect(out[3]!.content).toBe('```tool_output\n3\n```\n\nThanks. And 2 + 2?');
    expect(prompt).toContain('"name": "add"');
  });

  test('parseToolCall reads exactly one fenced call', () => {
    expect(
      parseToolCall(`${TOOL_CALL_OPEN}{"name": "add", "parameters": {"a": 2}}${TOOL_CALL_CLOSE}`),
    ).toMatchObject({ name: 'add', arguments: '{"a":2}' });
    expect(parseToolCall('The answer is 3.')).toBeUndefined();
    expect(parseToolCall(`${TOOL_CALL_OPEN}{"name": "add"${TOOL_CALL_CLOSE}`)).toBeUndefined();
  });

  test('callableTools checks names and the choice', () => {
    expect(callableTools(tools, { name: 'add' }).tools).toHaveLength(1);
    expect(() => callableTools(tools, { name: 'sub' })).toThrow(/toolChoice: no tool named "sub"/);
    expect(() => callableTools([{ name: 'a b' }], 'auto')).toThrow(/tools\[0\]\.name/);
    expect(() => callableTools([{ name: 'a' }, { name: 'a' }], 'auto')).toThrow(/duplicate/);
    expect(() => callableTools(tools, 'sometimes')).toThrow(/toolChoice/);
  });
});
