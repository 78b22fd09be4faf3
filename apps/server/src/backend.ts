import type { StructuredRequest } from './api/structured-fields.js';

/** A text part or a decoded image (the bytes of a PNG/JPEG/WebP/GIF file) of a chat message. */
export type BackendContentPart = { type: 'text'; text: string } | { type: 'image'; image: Uint8Array };

export interface BackendMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string | BackendContentPart[];
  /** An assistant's earlier tool calls. */
  toolCalls?: BackendToolCall[];
  /** A tool message's tool_call_id. */
  toolCallId?: string;
}

/** A function call: `arguments` is JSON text (OpenAI's form). */
export interface BackendToolCall {
  id: string;
  name: string;
  arguments: string;
}

/** A chat (rendered with the model's chat template) or a raw prompt (used as is, after `<bos>`). */
export type BackendInput = { kind: 'chat'; messages: BackendMessage[] } | { kind: 'prompt'; prompt: string };

/** Sampling settings after validation; absent means the model's generation_config default. */
export interface BackendSampling {
  /** Tokens to generate at most (already checked against the context). */
  maxTokens: number;
  temperature?: number;
  topP?: number;
  topK?: number;
  seed?: number;
  stop?: string[];
  /** response_format / tools / tool_choice, validated. */
  structured?: StructuredRequest;
}

export interface BackendCallbacks {
  /** Each new piece of text as it is generated (concatenated: the result's text). */
  onText?: (text: string) => void;
  /** Aborting stops generation before the next token step; the call resolves with finishReason 'abort'. */
  signal: AbortSignal;
}

export interface BackendResult {
  text: string;
  finishReason: 'stop' | 'length' | 'abort';
  promptTokens: number;
  completionTokens: number;
  /** Prompt tokens whose KV state was reused from an earlier request (prefix cache), not prefilled. */
  cachedTokens?: number;
  /** The calls the model made instead of answering (then `text` is the raw call, not shown). */
  toolCalls?: BackendToolCall[];
}

/**
 * What the HTTP layer needs from a model. The real one wraps @gemma3/pipeline (PipelineBackend);
 * tests use a fake that counts steps. Errors thrown for bad input should be Gemma3Errors (the server
 * maps input-problem codes to 400; anything else is a logged 500).
 */
export interface ChatBackend {
  /** The id clients put in `model` and /v1/models lists. */
  readonly modelId: string;
  /** Prompt plus new tokens must fit in this many tokens. */
  readonly contextLength: number;
  /** Whether image parts are accepted (a multimodal model). */
  readonly supportsImages: boolean;
  /** Exact prompt length in tokens, or undefined when it is only known while generating (images). */
  countPromptTokens(input: BackendInput): number | undefined;
  generate(
    input: BackendInput,
    sampling: BackendSampling,
    callbacks: BackendCallbacks,
  ): Promise<BackendResult>;
  /**
   * Cache figures for /metrics, each rendered as `gemma3_<key>`: keys ending in `_total` are counters
   * (e.g. `image_cache_hits_total`), the others gauges (e.g. `image_cache_bytes`). Optional.
   */
  cacheStats?(): Record<string, number>;
  dispose?(): Promise<void>;
}
