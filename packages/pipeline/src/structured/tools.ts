import { InvalidPipelineInputError } from '../errors/invalid-pipeline-input-error.js';
import type { PipelineMessage } from '../messages.js';

/** A function the model may call: its parameters are a JSON Schema (an object schema). */
export interface ToolDefinition {
  name: string;
  description?: string;
  parameters?: unknown;
}

/** `auto`: answer or call; `none`: answer; `required`: call one; `{ name }`: call that one. */
export type ToolChoice = 'auto' | 'none' | 'required' | { name: string };

export interface ToolCall {
  id: string;
  name: string;
  /** The arguments as JSON text (OpenAI's form). */
  arguments: string;
}

/** A message that may carry tool calls (assistant) or a tool's result (`role: 'tool'`). */
export interface ToolMessage extends PipelineMessage {
  toolCalls?: readonly ToolCall[];
  toolCallId?: string;
  name?: string;
}

/**
 * Gemma 3 has no tool tokens: as Google's Gemma function-calling guide describes, a call is a
 * ```tool_code fenced block (here the guide's JSON form: {"name", "parameters"}) and results come back
 * in a ```tool_output block.
 */
export const TOOL_CALL_OPEN = '```tool_code\n';
export const TOOL_CALL_CLOSE = '\n```';
const TOOL_OUTPUT_OPEN = '```tool_output\n';

/** Checks tool definitions and the choice; returns the tools a call may use (all, one, or none). */
export function callableTools(
  tools: unknown,
  choice: unknown,
): { tools: ToolDefinition[]; choice: ToolChoice } {
  if (!Array.isArray(tools))
    throw new InvalidPipelineInputError('tools', 'expected an array of { name, description?, parameters? }');
  const names = new Set<string>();
  tools.forEach((tool, i) => {
    const name = (tool as { name?: unknown } | null)?.name;
    if (typeof name !== 'string' || !/^[A-Za-z0-9_.-]{1,64}$/.test(name)) {
      throw new InvalidPipelineInputError(`tools[${i}].name`, 'expected 1-64 letters, digits, _ . -');
    }
    if (names.has(name))
      throw new InvalidPipelineInputError(`tools[${i}].name`, `duplicate tool name ${name}`);
    names.add(name);
  });
  const defined = tools as ToolDefinition[];
  const resolved = choice ?? 'auto';
  if (resolved === 'auto' || resolved === 'none' || resolved === 'required')
    return { tools: defined, choice: resolved };
  const named = (resolved as { name?: unknown }).name;
  if (typeof named !== 'string') {
    throw new InvalidPipelineInputError('toolChoice', 'expected "auto", "none", "required" or { name }');
  }
  const tool = defined.find((t) => t.name === named);
  if (tool === undefined)
    throw new InvalidPipelineInputError('toolChoice', `no tool named ${JSON.stringify(named)} in tools`);
  return { tools: [tool], choice: { name: named } };
}

/** The JSON Schema of one call of any of `tools`: `{ "name": ..., "parameters": {...} }`. */
export function toolCallSchema(tools: readonly ToolDefinition[]): unknown {
  const branches = tools.map((tool) => ({
    type: 'object',
    properties: { name: { const: tool.name }, parameters: tool.parameters ?? { type: 'object' } },
    required: ['name', 'parameters'],
    additionalProperties: false,
  }));
  return branches.length === 1 ? branches[0] : { anyOf: branches };
}

/** The system prompt part that describes the tools and the call format (Google's prompt-based function calling for Gemma). */
export function toolsPrompt(tools: readonly ToolDefinition[], choice: ToolChoice): string {
  const must =
    choice === 'required'
      ? 'You must call one of the functions.'
      : typeof choice === 'object'
        ? `You must call the function ${choice.name}.`
        : 'If a function helps to answer, call it; otherwise answer normally.';
  const list = tools.map((t) => ({
    name: t.name,
    description: t.description ?? '',
    parameters: t.parameters ?? { type: 'object' },
  }));
  return [
    'You have access to the following functions:',
    JSON.stringify(list, null, 2),
    `To call a function, reply with only this, and nothing before or after it:\n${TOOL_CALL_OPEN}{"name": "<function name>", "parameters": {<argument name and value, as JSON>}}${TOOL_CALL_CLOSE}`,
    `${must} A function's result comes back to you in a ${TOOL_OUTPUT_OPEN.trim()} block.`,
  ].join('\n\n');
}

/**
 * Conversation with tools -> plain messages for Gemma's chat template: the tools prompt joins the
 * system message (or becomes one), an assistant's calls become fenced blocks, tool results become
 * user turns with fenced outputs (merged with a neighbouring user turn: the template alternates).
 */
export function renderToolConversation(
  messages: readonly ToolMessage[],
  prompt: string | undefined,
): PipelineMessage[] {
  const out: PipelineMessage[] = [];
  const push = (message: PipelineMessage): void => {
    const last = out.at(-1);
    if (last !== undefined && last.role === 'user' && message.role === 'user') {
      out[out.length - 1] = { role: 'user', content: joinContent(last.content, message.content) };
    } else out.push(message);
  };
  messages.forEach((message, i) => {
    if (message.role === 'tool') {
      const content = textOf(message.content, `messages[${i}].content`);
      push({ role: 'user', content: `${TOOL_OUTPUT_OPEN}${content}${TOOL_CALL_CLOSE}` });
      return;
    }
    if (message.role === 'assistant' && message.toolCalls !== undefined && message.toolCalls.length > 0) {
      const text = textOf(message.content ?? '', `messages[${i}].content`);
      const calls = message.toolCalls.map(
        (c) =>
          `${TOOL_CALL_OPEN}${JSON.stringify({ name: c.name, parameters: parseArguments(c.arguments, i) })}${TOOL_CALL_CLOSE}`,
      );
      push({ role: 'assistant', content: [text, ...calls].filter((s) => s !== '').join('\n') });
      return;
    }
    push({ role: message.role, content: message.content });
  });
  if (prompt === undefined) return out;
  const first = out[0];
  if (first?.role === 'system') out[0] = { role: 'system', content: joinContent(first.content, prompt) };
  else out.unshift({ role: 'system', content: prompt });
  return out;
}

/** The call in a generated answer that is exactly one fenced tool call, else undefined. */
export function parseToolCall(text: string): ToolCall | undefined {
  if (!text.startsWith(TOOL_CALL_OPEN) || !text.endsWith(TOOL_CALL_CLOSE)) return undefined;
  try {
    const call = JSON.parse(text.slice(TOOL_CALL_OPEN.length, text.length - TOOL_CALL_CLOSE.length)) as {
      name?: unknown;
      parameters?: unknown;
    };
    if (typeof call.name !== 'string') return undefined;
    return { id: `call_${randomId()}`, name: call.name, arguments: JSON.stringify(call.parameters ?? {}) };
  } catch {
    return undefined;
  }
}

function parseArguments(text: string, index: number): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new InvalidPipelineInputError(`messages[${index}].toolCalls.arguments`, 'expected JSON text');
  }
}

function textOf(content: unknown, field: string): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content) && content.every((item) => item?.type === 'text')) {
    return content.map((item) => item.text as string).join('');
  }
  throw new InvalidPipelineInputError(field, 'expected text');
}

function joinContent(
  a: PipelineMessage['content'],
  b: PipelineMessage['content'],
): PipelineMessage['content'] {
  if (typeof a === 'string' && typeof b === 'string') return `${a}\n\n${b}`;
  const items = (c: PipelineMessage['content']) =>
    typeof c === 'string' ? [{ type: 'text' as const, text: c }] : c;
  return [...items(a), { type: 'text', text: '\n\n' }, ...items(b)];
}

function randomId(): string {
  return Math.random().toString(36).slice(2, 14).padEnd(12, '0');
}
