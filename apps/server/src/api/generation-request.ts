import type { BackendContentPart, BackendToolCall } from '../backend.js';
import type { StructuredRequest } from './structured-fields.js';

/** An image as the request gave it: decoded data-URI bytes, or an http(s) URL still to fetch. */
export type ImageSource = { kind: 'bytes'; bytes: Uint8Array } | { kind: 'url'; url: string };

export type RequestContentPart =
  | Extract<BackendContentPart, { type: 'text' }>
  | { type: 'image'; source: ImageSource; param: string };

export interface RequestMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string | RequestContentPart[];
  /** An assistant's earlier calls (`tool_calls`). */
  toolCalls?: BackendToolCall[];
  /** A tool message's `tool_call_id`. */
  toolCallId?: string;
}

/** A validated /v1/chat/completions or /v1/completions request. */
export interface GenerationRequest {
  endpoint: 'chat' | 'completion';
  model: string;
  input: { kind: 'chat'; messages: RequestMessage[] } | { kind: 'prompt'; prompt: string };
  /** max_tokens / max_completion_tokens as given (undefined: the server's default). */
  maxTokens: number | undefined;
  /** Which field gave maxTokens (for error messages). */
  maxTokensParam: string;
  temperature?: number;
  topP?: number;
  topK?: number;
  seed?: number;
  stop?: string[];
  stream: boolean;
  includeUsage: boolean;
  /** response_format / tools / tool_choice (chat only). */
  structured?: StructuredRequest;
}
