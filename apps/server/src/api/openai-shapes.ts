import type { BackendResult, BackendToolCall } from '../backend.js';

export type FinishReason = 'stop' | 'length' | 'tool_calls';

/** OpenAI's tool_calls items (`index` in stream deltas only). */
export function toolCallsOf(calls: readonly BackendToolCall[], withIndex = false) {
  return calls.map((c, index) => ({
    ...(withIndex ? { index } : {}),
    id: c.id,
    type: 'function' as const,
    function: { name: c.name, arguments: c.arguments },
  }));
}

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  /** As OpenAI's: prompt tokens served from the prefix cache. */
  prompt_tokens_details: { cached_tokens: number };
}

export function usageOf(
  result: Pick<BackendResult, 'promptTokens' | 'completionTokens' | 'cachedTokens'>,
): Usage {
  return {
    prompt_tokens: result.promptTokens,
    completion_tokens: result.completionTokens,
    total_tokens: result.promptTokens + result.completionTokens,
    prompt_tokens_details: { cached_tokens: result.cachedTokens ?? 0 },
  };
}

interface Envelope {
  id: string;
  created: number;
  model: string;
}

export function chatCompletion(
  e: Envelope,
  text: string,
  finish: FinishReason,
  usage: Usage,
  toolCalls?: readonly BackendToolCall[],
) {
  return {
    id: e.id,
    object: 'chat.completion',
    created: e.created,
    model: e.model,
    system_fingerprint: null,
    choices: [
      {
        index: 0,
        message:
          toolCalls === undefined
            ? { role: 'assistant', content: text, refusal: null }
            : { role: 'assistant', content: null, refusal: null, tool_calls: toolCallsOf(toolCalls) },
        logprobs: null,
        finish_reason: finish,
      },
    ],
    usage,
  };
}

export function chatChunk(
  e: Envelope,
  delta: { role?: 'assistant'; content?: string; tool_calls?: ReturnType<typeof toolCallsOf> },
  finish: FinishReason | null,
  includeUsage: boolean,
) {
  return {
    id: e.id,
    object: 'chat.completion.chunk',
    created: e.created,
    model: e.model,
    system_fingerprint: null,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    ...(includeUsage ? { usage: null } : {}),
  };
}

export function textCompletion(e: Envelope, text: string, finish: FinishReason | null, usage?: Usage) {
  return {
    id: e.id,
    object: 'text_completion',
    created: e.created,
    model: e.model,
    system_fingerprint: null,
    choices: [{ text, index: 0, logprobs: null, finish_reason: finish }],
    ...(usage === undefined ? {} : { usage }),
  };
}

/** The last chunk of a stream with `stream_options.include_usage`: no choices, the usage. */
export function usageChunk(e: Envelope, object: 'chat.completion.chunk' | 'text_completion', usage: Usage) {
  return {
    id: e.id,
    object,
    created: e.created,
    model: e.model,
    system_fingerprint: null,
    choices: [],
    usage,
  };
}
