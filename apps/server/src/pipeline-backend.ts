import { basename } from 'node:path';
import {
  type ChatCallOptions,
  detectModelKind,
  type Gemma3Pipeline,
  type GenerationCallOptions,
  type PipelineContentItem,
  type PipelineOptions,
  pipeline,
  resolveModelFolder,
  type StructuredCallOptions,
  type ToolMessage,
} from '@gemma3/pipeline';
import type { StructuredRequest } from './api/structured-fields.js';
import type {
  BackendCallbacks,
  BackendInput,
  BackendResult,
  BackendSampling,
  ChatBackend,
} from './backend.js';

export interface LoadPipelineBackendOptions extends PipelineOptions {
  /** The id clients send as `model`. Default: a local folder's name, or the hub id as given. */
  modelId?: string;
}

/**
 * Loads `model` (a folder or a Hugging Face id) with @gemma3/pipeline: a multimodal checkpoint as
 * image-text-to-text (images accepted), a text-only one as text-generation.
 */
export async function loadPipelineBackend(
  model: string,
  options: LoadPipelineBackendOptions = {},
): Promise<PipelineBackend> {
  const { modelId, ...pipelineOptions } = options;
  const dir = await resolveModelFolder(model, pipelineOptions);
  const info = await detectModelKind(dir);
  const task = info.kind === 'multimodal' ? 'image-text-to-text' : 'text-generation';
  const loaded = await pipeline(task, dir, pipelineOptions);
  const looksLocal = /^(\.|\/|~)/.test(model) || model.split('/').length !== 2;
  return new PipelineBackend(loaded, modelId ?? (looksLocal ? basename(model.replace(/\/+$/, '')) : model));
}

/** The server's ChatBackend over a loaded Gemma3Pipeline. */
export class PipelineBackend implements ChatBackend {
  readonly contextLength: number;
  readonly supportsImages: boolean;

  constructor(
    readonly pipeline: Gemma3Pipeline,
    readonly modelId: string,
  ) {
    this.contextLength = pipeline.model.maxContextLength;
    this.supportsImages = pipeline.task === 'image-text-to-text';
  }

  /** Exact for text (the chat template or the prompt, tokenized); undefined when images are in it. */
  countPromptTokens(input: BackendInput): number | undefined {
    const tokenizer = this.pipeline.tokenizer;
    if (input.kind === 'prompt') return tokenizer.encode(input.prompt).length;
    if (
      input.messages.some((m) => typeof m.content !== 'string' && m.content.some((p) => p.type === 'image'))
    ) {
      return undefined;
    }
    // tool calls and results are rendered by the pipeline (fenced blocks): counted while generating
    if (input.messages.some((m) => m.role === 'tool' || m.toolCalls !== undefined)) return undefined;
    const messages = input.messages.map((m) => ({
      role: m.role,
      content:
        typeof m.content === 'string'
          ? m.content
          : m.content.map((p) => ({ type: 'text' as const, text: p.type === 'text' ? p.text : '' })),
    }));
    const continueFinalMessage = endsWithAssistant(input);
    return tokenizer.applyChatTemplate(messages, {
      addGenerationPrompt: !continueFinalMessage,
      continueFinalMessage,
      tokenize: true,
    }).length;
  }

  async generate(
    input: BackendInput,
    sampling: BackendSampling,
    callbacks: BackendCallbacks,
  ): Promise<BackendResult> {
    const options: GenerationCallOptions & ChatCallOptions & StructuredCallOptions = {
      ...structuredOptions(sampling.structured),
      maxNewTokens: sampling.maxTokens,
      continueFinalMessage: endsWithAssistant(input),
      signal: callbacks.signal,
      ...(callbacks.onText === undefined ? {} : { onText: callbacks.onText }),
      ...(sampling.temperature === undefined
        ? {}
        : { temperature: sampling.temperature, doSample: sampling.temperature > 0 }),
      ...(sampling.topP === undefined ? {} : { topP: sampling.topP }),
      ...(sampling.topK === undefined ? {} : { topK: sampling.topK }),
      ...(sampling.seed === undefined ? {} : { seed: sampling.seed }),
      ...(sampling.stop === undefined ? {} : { stopStrings: sampling.stop }),
    };
    const prompt =
      input.kind === 'prompt'
        ? input.prompt
        : input.messages.map(
            (m): ToolMessage => ({
              role: m.role,
              ...(m.toolCalls === undefined ? {} : { toolCalls: m.toolCalls }),
              ...(m.toolCallId === undefined ? {} : { toolCallId: m.toolCallId }),
              content:
                typeof m.content === 'string'
                  ? m.content
                  : m.content.map(
                      (p): PipelineContentItem =>
                        p.type === 'text'
                          ? { type: 'text', text: p.text }
                          : { type: 'image', image: p.image },
                    ),
            }),
          );
    const out = await this.pipeline.run(prompt, options);
    return {
      text: out.text,
      finishReason: out.finishReason,
      promptTokens: out.usage.promptTokens,
      cachedTokens: out.usage.cachedTokens,
      completionTokens: out.usage.completionTokens,
      ...(out.toolCalls === undefined ? {} : { toolCalls: out.toolCalls }),
    };
  }

  /** The image feature cache of a multimodal model (its hits, misses, evictions, entries, bytes). */
  cacheStats(): Record<string, number> {
    return { ...this.batchingStats(), ...this.imageCacheStats() };
  }

  /** The running batch and the prefix cache (continuous batching, KV reuse). */
  private batchingStats(): Record<string, number> {
    const batcher = this.pipeline.batcher;
    if (batcher === undefined) return {};
    const b = batcher.stats();
    const p = batcher.prefixCache?.stats();
    return {
      batch_running: b.running,
      batch_decode_steps_total: b.decodeSteps,
      batch_decode_rows_total: b.decodeRows,
      batch_prefill_tokens_total: b.prefillTokens,
      ...(p === undefined
        ? {}
        : {
            prefix_cache_hits_total: p.hits,
            prefix_cache_misses_total: p.misses,
            prefix_cache_reused_tokens_total: p.reusedTokens,
            prefix_cache_evictions_total: p.evictions,
            prefix_cache_entries: p.entries,
            prefix_cache_bytes: p.bytes,
            prefix_cache_max_bytes: p.maxBytes,
          }),
    };
  }

  private imageCacheStats(): Record<string, number> {
    const model = this.pipeline.model;
    if (!('imageCacheStats' in model)) return {};
    const s = model.imageCacheStats();
    return {
      image_cache_hits_total: s.hits,
      image_cache_misses_total: s.misses,
      image_cache_evictions_total: s.evictions,
      image_cache_entries: s.entries,
      image_cache_bytes: s.bytes,
      image_cache_max_bytes: s.maxBytes,
    };
  }

  async dispose(): Promise<void> {
    await this.pipeline.dispose();
  }
}

/**
 * A chat whose last message is the assistant's is a prefill: the answer continues that message (no
 * end of turn, no new model turn), as llama.cpp's server and Ollama do with a trailing assistant message.
 */
function endsWithAssistant(input: BackendInput): boolean {
  return input.kind === 'chat' && input.messages.at(-1)?.role === 'assistant';
}

/** The server's validated response_format / tools / tool_choice as pipeline call options. */
function structuredOptions(structured: StructuredRequest | undefined): StructuredCallOptions {
  if (structured === undefined) return {};
  return {
    ...(structured.responseFormat === undefined ? {} : { responseFormat: structured.responseFormat }),
    ...(structured.tools === undefined ? {} : { tools: structured.tools }),
    ...(structured.toolChoice === undefined ? {} : { toolChoice: structured.toolChoice }),
  };
}
