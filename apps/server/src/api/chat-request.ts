import { InvalidRequestError } from '../errors/invalid-request-error.js';
import type { GenerationRequest, RequestContentPart, RequestMessage } from './generation-request.js';
import { parseImageUrl } from './image-url.js';
import { jsonType, RequestFields } from './request-fields.js';
import { readMaxTokens, readSampling } from './sampling-fields.js';
import { readStructured } from './structured-fields.js';

/** OpenAI chat parameters this server knows but does not implement (a 400 names them). */
const KNOWN_UNSUPPORTED = new Set([
  'functions',
  'function_call',
  'logit_bias',
  'top_logprobs',
  'audio',
  'modalities',
  'prediction',
  'reasoning_effort',
  'service_tier',
  'store',
  'metadata',
  'web_search_options',
]);

const MAX_MESSAGES = 1024;
const MAX_PARTS = 256;

export interface ChatParseOptions {
  allowRemoteImages: boolean;
}

/** Validates a /v1/chat/completions body. Throws InvalidRequestError naming the field at fault. */
export function parseChatRequest(body: unknown, options: ChatParseOptions): GenerationRequest {
  const fields = RequestFields.of(body, '');
  const model = fields.string('model', { required: true, nonEmpty: true }) as string;
  const messages = readMessages(fields.raw('messages'), options);
  if (messages === undefined) {
    throw new InvalidRequestError(
      "Missing required parameter 'messages'",
      'messages',
      'missing_required_parameter',
    );
  }
  const maxTokens = readMaxTokens(fields, 'max_tokens');
  const maxCompletionTokens = readMaxTokens(fields, 'max_completion_tokens');
  if (maxTokens !== undefined && maxCompletionTokens !== undefined && maxTokens !== maxCompletionTokens) {
    throw new InvalidRequestError(
      `'max_tokens' (${maxTokens}) and 'max_completion_tokens' (${maxCompletionTokens}) disagree; give one`,
      'max_tokens',
      'invalid_value',
    );
  }
  const sampling = readSampling(fields);
  const structured = readStructured(fields);
  fields.rejectUnread(KNOWN_UNSUPPORTED);
  return {
    endpoint: 'chat',
    model,
    input: { kind: 'chat', messages },
    maxTokens: maxCompletionTokens ?? maxTokens,
    maxTokensParam: maxCompletionTokens !== undefined ? 'max_completion_tokens' : 'max_tokens',
    ...sampling,
    ...(structured === undefined ? {} : { structured }),
  };
}

function readMessages(value: unknown, options: ChatParseOptions): RequestMessage[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) {
    throw new InvalidRequestError(
      `'messages' must be an array, got ${jsonType(value)}`,
      'messages',
      'invalid_type',
    );
  }
  if (value.length === 0) {
    throw new InvalidRequestError(
      "'messages' must contain at least one message",
      'messages',
      'invalid_value',
    );
  }
  if (value.length > MAX_MESSAGES) {
    throw new InvalidRequestError(
      `'messages' has ${value.length} messages; at most ${MAX_MESSAGES} are allowed`,
      'messages',
      'invalid_value',
    );
  }
  return value.map((message, i) => readMessage(message, `messages[${i}]`, options));
}

function readMessage(value: unknown, path: string, options: ChatParseOptions): RequestMessage {
  const fields = RequestFields.of(value, path);
  const roleValue = fields.string('role', { required: true });
  let role: RequestMessage['role'];
  if (roleValue === 'system' || roleValue === 'developer') role = 'system';
  else if (roleValue === 'user' || roleValue === 'assistant') role = roleValue;
  else if (roleValue === 'tool') role = 'tool';
  else if (roleValue === 'function') {
    throw new InvalidRequestError(
      `'${path}.role' = "function" (the deprecated functions API) is not supported; use tools and role "tool"`,
      `${path}.role`,
      'unsupported_parameter',
    );
  } else {
    throw new InvalidRequestError(
      `'${path}.role' = ${JSON.stringify(roleValue)}; expected "system", "developer", "user", "assistant" or "tool"`,
      `${path}.role`,
      'invalid_value',
    );
  }
  fields.string('name'); // a participant name: accepted, not rendered (Gemma's template has no names)
  const toolCalls =
    role === 'assistant' ? readToolCalls(fields.raw('tool_calls'), `${path}.tool_calls`) : undefined;
  const toolCallId = role === 'tool' ? fields.string('tool_call_id', { required: true }) : undefined;
  const rawContent = fields.raw('content');
  const content =
    rawContent === undefined && toolCalls !== undefined
      ? ''
      : readContent(rawContent, `${path}.content`, role, options);
  fields.string('refusal');
  if (role === 'assistant') fields.raw('parsed'); // added by the openai client's parse(): the content, parsed
  fields.rejectUnread(new Set(['tool_calls', 'function_call', 'audio', 'tool_call_id']));
  return {
    role,
    content,
    ...(toolCalls === undefined ? {} : { toolCalls }),
    ...(toolCallId === undefined ? {} : { toolCallId }),
  };
}

function readContent(
  value: unknown,
  path: string,
  role: RequestMessage['role'],
  options: ChatParseOptions,
): RequestMessage['content'] {
  if (value === undefined) {
    throw new InvalidRequestError(`Missing required parameter '${path}'`, path, 'missing_required_parameter');
  }
  if (typeof value === 'string') return value;
  if (!Array.isArray(value)) {
    throw new InvalidRequestError(
      `'${path}' must be a string or an array of content parts, got ${jsonType(value)}`,
      path,
      'invalid_type',
    );
  }
  if (value.length > MAX_PARTS) {
    throw new InvalidRequestError(
      `'${path}' has ${value.length} parts; at most ${MAX_PARTS} are allowed`,
      path,
      'invalid_value',
    );
  }
  return value.map((part, k): RequestContentPart => {
    const at = `${path}[${k}]`;
    const fields = RequestFields.of(part, at);
    const type = fields.string('type', { required: true });
    if (type === 'text') {
      const text = fields.string('text', { required: true }) as string;
      fields.rejectUnread();
      return { type: 'text', text };
    }
    if (type === 'image_url') {
      if (role !== 'user') {
        throw new InvalidRequestError(
          `'${at}': images are only accepted in user messages`,
          at,
          'invalid_value',
        );
      }
      const image = fields.raw('image_url');
      const imageFields = RequestFields.of(image ?? {}, `${at}.image_url`);
      const url = imageFields.string('url', { required: true, nonEmpty: true }) as string;
      imageFields.onlyNeutral('detail', ['auto', 'low', 'high'], 'expected "auto", "low" or "high"');
      imageFields.rejectUnread();
      fields.rejectUnread();
      const param = `${at}.image_url.url`;
      return { type: 'image', source: parseImageUrl(url, param, options.allowRemoteImages), param };
    }
    throw new InvalidRequestError(
      `'${at}.type' = ${JSON.stringify(type)} is not supported; expected "text" or "image_url"`,
      `${at}.type`,
      'unsupported_parameter',
    );
  });
}

function readToolCalls(value: unknown, path: string): RequestMessage['toolCalls'] {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) {
    throw new InvalidRequestError(`'${path}' must be an array, got ${jsonType(value)}`, path, 'invalid_type');
  }
  return value.map((call, i) => {
    const at = `${path}[${i}]`;
    const c = RequestFields.of(call, at);
    const id = c.string('id', { required: true }) as string;
    const type = c.string('type');
    if (type !== undefined && type !== 'function') {
      throw new InvalidRequestError(
        `'${at}.type' = ${JSON.stringify(type)}; expected "function"`,
        `${at}.type`,
        'invalid_value',
      );
    }
    const fn = RequestFields.of(c.raw('function'), `${at}.function`);
    const name = fn.string('name', { required: true, nonEmpty: true }) as string;
    const args = fn.string('arguments', { required: true }) as string;
    fn.raw('parsed_arguments'); // the openai client's parse() adds it to the message it returns: same data
    try {
      JSON.parse(args);
    } catch {
      throw new InvalidRequestError(
        `'${at}.function.arguments' must be JSON text`,
        `${at}.function.arguments`,
        'invalid_value',
      );
    }
    fn.rejectUnread();
    c.rejectUnread();
    return { id, name, arguments: args };
  });
}
