import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { GenerationRequest, RequestMessage } from './api/generation-request.js';
import {
  chatChunk,
  chatCompletion,
  type FinishReason,
  textCompletion,
  toolCallsOf,
  type Usage,
  usageChunk,
  usageOf,
} from './api/openai-shapes.js';
import { StopTrimmer } from './api/stop-trimmer.js';
import { ToolCallStreamFilter } from './api/tool-call-stream.js';
import type { BackendInput, BackendMessage, BackendResult, ChatBackend } from './backend.js';
import { classifyError } from './classify-error.js';
import type { ApiError } from './errors/api-error.js';
import { InvalidRequestError } from './errors/invalid-request-error.js';
import { NotFoundError } from './errors/not-found-error.js';
import { ServiceUnavailableError } from './errors/service-unavailable-error.js';
import { type GenerationQueue, QueueAbortedError } from './generation-queue.js';
import { fetchRemoteImage, type RemoteImageOptions } from './http/remote-image.js';
import { sendJson } from './http/send-json.js';
import { endEventStream, sendEvent, startEventStream } from './http/sse.js';
import type { ServerMetrics } from './metrics.js';

export interface GenerationContext {
  backend: ChatBackend;
  queue: GenerationQueue;
  metrics: ServerMetrics;
  remoteImages: RemoteImageOptions;
  /** max_tokens when a chat request gives none (capped by the room left in the context). */
  defaultMaxTokens: number;
  /** A stream whose unsent bytes pass this is a client too slow to read: its generation is stopped. */
  maxBufferedBytes: number;
  log: (line: string) => void;
}

/** Why a request's generation was stopped from outside. */
export type StopReason = 'client_gone' | 'shutdown' | 'slow_client';

/** One request in flight: the server can stop it (shutdown) and waits for `done`. */
export interface InFlight {
  stop(reason: StopReason): void;
  done: Promise<void>;
}

/**
 * Answers a validated /v1/chat/completions or /v1/completions request: model and image checks, the
 * context check, the queue, then generation, as JSON or as SSE chunks. Headers of a stream are sent
 * with the first text, so an error before any text (e.g. a context overflow found while loading an
 * image prompt) is still a plain JSON error with its status.
 */
export async function answerGeneration(
  ctx: GenerationContext,
  request: GenerationRequest,
  response: ServerResponse,
  controller: AbortController,
): Promise<void> {
  const { backend } = ctx;
  const signal = controller.signal;
  if (request.model !== backend.modelId) {
    throw new NotFoundError(
      `The model '${request.model}' does not exist on this server; it serves '${backend.modelId}' (see GET /v1/models)`,
      'model_not_found',
      'model',
    );
  }
  const input = await resolveInput(ctx, request, signal);
  const maxTokens = fitMaxTokens(ctx, request, input);
  const envelope = {
    id: `${request.endpoint === 'chat' ? 'chatcmpl' : 'cmpl'}-${randomUUID().replaceAll('-', '')}`,
    created: Math.floor(Date.now() / 1000),
    model: backend.modelId,
  };
  let streaming = false;
  const startStream = () => {
    if (streaming || !request.stream) return;
    streaming = true;
    startEventStream(response);
    if (request.endpoint === 'chat') {
      sendEvent(
        response,
        chatChunk(envelope, { role: 'assistant', content: '' }, null, request.includeUsage),
      );
    }
  };
  const trimmer = new StopTrimmer(request.stop ?? []);
  const tools = request.structured?.tools ?? [];
  const calling = tools.length > 0 && request.structured?.toolChoice !== 'none';
  const callFilter = calling ? new ToolCallStreamFilter() : undefined;
  const sendText = (text: string) => {
    if (text === '') return;
    sendEvent(
      response,
      request.endpoint === 'chat'
        ? chatChunk(envelope, { content: text }, null, request.includeUsage)
        : textCompletion(envelope, text, null),
    );
  };
  const onText = (piece: string) => {
    if (signal.aborted) return;
    if (firstTextAt === undefined) {
      firstTextAt = performance.now();
      ctx.metrics.firstTokenSeconds.observe((firstTextAt - slotAt) / 1000);
    }
    if (!request.stream) return;
    startStream();
    sendText(trimmer.push(callFilter === undefined ? piece : callFilter.push(piece)));
    if (response.writableLength > ctx.maxBufferedBytes) controller.abort('slow_client' satisfies StopReason);
  };

  let slotAt = 0;
  let firstTextAt: number | undefined;
  const queuedAt = performance.now();
  let result: BackendResult;
  try {
    result = await ctx.queue.run(async () => {
      slotAt = performance.now();
      ctx.metrics.queueSeconds.observe((slotAt - queuedAt) / 1000);
      try {
        return await backend.generate(
          input,
          {
            maxTokens,
            ...pick(request, ['temperature', 'topP', 'topK', 'seed', 'stop', 'structured']),
          },
          { onText, signal },
        );
      } finally {
        ctx.metrics.generationSeconds.observe((performance.now() - slotAt) / 1000);
      }
    }, signal);
  } catch (error) {
    if (error instanceof QueueAbortedError) return; // the client left while waiting
    if (!streaming) throw error; // answered (and counted) by the server as a JSON error
    return streamError(response, classifyError(error, ctx.log));
  }

  ctx.metrics.promptTokens.inc({}, result.promptTokens);
  ctx.metrics.completionTokens.inc({}, result.completionTokens);
  ctx.metrics.generations.inc({ finish_reason: result.finishReason });
  if (result.finishReason === 'abort') {
    ctx.metrics.cancellations.inc({ reason: String(signal.reason ?? 'unknown') });
    if (signal.reason === 'shutdown') {
      const error = new ServiceUnavailableError(
        'The server shut down before the answer was complete',
        'shutting_down',
      );
      if (streaming) return streamError(response, error);
      sendJson(response, error.status, error.toBody(), { connection: 'close' });
    }
    response.destroy(); // client gone or too slow: nobody is reading
    return;
  }
  const toolCalls =
    result.toolCalls !== undefined && result.toolCalls.length > 0 ? result.toolCalls : undefined;
  const finish: FinishReason = toolCalls === undefined ? result.finishReason : 'tool_calls';
  const usage = usageOf(result);
  if (!request.stream) {
    const text = StopTrimmer.trim(result.text, request.stop ?? []);
    sendJson(
      response,
      200,
      request.endpoint === 'chat'
        ? chatCompletion(envelope, text, finish, usage, toolCalls)
        : textCompletion(envelope, text, finish, usage),
    );
    return;
  }
  startStream();
  if (toolCalls === undefined) sendText(trimmer.push(callFilter?.finish() ?? ''));
  sendText(trimmer.finish());
  if (toolCalls !== undefined) {
    sendEvent(
      response,
      chatChunk(envelope, { tool_calls: toolCallsOf(toolCalls, true) }, null, request.includeUsage),
    );
  }
  finishStream(response, request, envelope, finish, usage);
}

function finishStream(
  response: ServerResponse,
  request: GenerationRequest,
  envelope: { id: string; created: number; model: string },
  finish: FinishReason,
  usage: Usage,
): void {
  const object = request.endpoint === 'chat' ? 'chat.completion.chunk' : 'text_completion';
  sendEvent(
    response,
    request.endpoint === 'chat'
      ? chatChunk(envelope, {}, finish, request.includeUsage)
      : textCompletion(envelope, '', finish),
  );
  if (request.includeUsage) sendEvent(response, usageChunk(envelope, object, usage));
  endEventStream(response);
}

/** After SSE started, an error is one `data: {"error": ...}` event, then `[DONE]`. */
function streamError(response: ServerResponse, error: ApiError): void {
  sendEvent(response, error.toBody());
  endEventStream(response);
}

async function resolveInput(
  ctx: GenerationContext,
  request: GenerationRequest,
  signal: AbortSignal,
): Promise<BackendInput> {
  if (request.input.kind === 'prompt') return request.input;
  const messages = await Promise.all(
    request.input.messages.map(async (message: RequestMessage): Promise<BackendMessage> => {
      const tool = {
        ...(message.toolCalls === undefined ? {} : { toolCalls: message.toolCalls }),
        ...(message.toolCallId === undefined ? {} : { toolCallId: message.toolCallId }),
      };
      if (typeof message.content === 'string')
        return { role: message.role, content: message.content, ...tool };
      const parts = await Promise.all(
        message.content.map(async (part) => {
          if (part.type === 'text') return part;
          if (!ctx.backend.supportsImages) {
            throw new InvalidRequestError(
              `'${part.param}': the model '${ctx.backend.modelId}' takes text only (load a multimodal Gemma 3 for images)`,
              part.param,
              'images_not_supported',
            );
          }
          const image =
            part.source.kind === 'bytes'
              ? part.source.bytes
              : await fetchRemoteImage(part.source.url, part.param, ctx.remoteImages, signal);
          if (image.length === 0) {
            throw new InvalidRequestError(`'${part.param}': the image is empty`, part.param, 'invalid_image');
          }
          return { type: 'image' as const, image };
        }),
      );
      return { role: message.role, content: parts, ...tool };
    }),
  );
  return { kind: 'chat', messages };
}

/** The max_tokens to generate with, checked against the context when the prompt length is known. */
function fitMaxTokens(ctx: GenerationContext, request: GenerationRequest, input: BackendInput): number {
  const limit = ctx.backend.contextLength;
  const prompt = ctx.backend.countPromptTokens(input);
  if (prompt === undefined) return request.maxTokens ?? ctx.defaultMaxTokens;
  if (prompt >= limit) {
    throw new InvalidRequestError(
      `This model's maximum context length is ${limit} tokens, but the prompt has ${prompt} tokens; shorten the messages`,
      request.input.kind === 'chat' ? 'messages' : 'prompt',
      'context_length_exceeded',
    );
  }
  const room = limit - prompt;
  if (request.maxTokens === undefined) return Math.min(ctx.defaultMaxTokens, room);
  if (request.maxTokens > room) {
    throw new InvalidRequestError(
      `This model's maximum context length is ${limit} tokens; the prompt has ${prompt} tokens and ${request.maxTokensParam} is ${request.maxTokens} (${prompt + request.maxTokens} in all); lower ${request.maxTokensParam} to at most ${room} or shorten the prompt`,
      request.maxTokensParam,
      'context_length_exceeded',
    );
  }
  return request.maxTokens;
}

function pick<T extends object, K extends keyof T>(source: T, keys: readonly K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const key of keys) if (source[key] !== undefined) out[key] = source[key];
  return out;
}
