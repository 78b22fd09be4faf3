import { randomUUID } from 'node:crypto';
import { Gemma3Error } from '@gemma3/errors';
import { ApiError } from './errors/api-error.js';
import { InternalError } from './errors/internal-error.js';
import { InvalidRequestError } from './errors/invalid-request-error.js';

/**
 * Error codes of the model packages that mean "the request's input is wrong" (a 400 with the
 * package's message, which names the problem and never a server path). Anything else is a fault.
 */
const INPUT_CODES: Record<string, string> = {
  'generation/context-length-exceeded': 'context_length_exceeded',
  'generation/invalid-option': 'invalid_value',
  'generation/invalid-prompt': 'invalid_value',
  'generation/unsupported-schema': 'invalid_schema',
  'generation/invalid-pattern': 'invalid_schema',
  'generation/grammar-too-large': 'invalid_schema',
  'image/decode-failed': 'invalid_image',
  'image/invalid-input': 'invalid_image',
  'image/too-large': 'invalid_image',
  'image/unsupported': 'invalid_image',
  'pipeline/image-fetch': 'invalid_image_url',
  'pipeline/invalid-input': 'invalid_value',
  'processor/image-count-mismatch': 'invalid_value',
  'processor/invalid-input': 'invalid_value',
  'processor/prompt-too-long': 'context_length_exceeded',
  'processor/image-tokens-truncated': 'context_length_exceeded',
  'tokenizer/chat-template-exception': 'invalid_messages',
  'tokenizer/chat-template-limit': 'invalid_messages',
  'tokenizer/invalid-text': 'invalid_value',
  'text-model/invalid-input': 'invalid_value',
  'multimodal-model/invalid-input': 'invalid_value',
};

/** Turns anything thrown while answering into the ApiError to send; logs real faults with an id. */
export function classifyError(error: unknown, log: (line: string) => void): ApiError {
  if (error instanceof ApiError) return error;
  if (Gemma3Error.isInstance(error)) {
    const apiCode = INPUT_CODES[error.code];
    if (apiCode !== undefined) return new InvalidRequestError(error.message, null, apiCode, error);
  }
  const incident = randomUUID().slice(0, 8);
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  log(`[gemma3-server] internal error ${incident}: ${detail}`);
  return new InternalError(incident, error);
}
