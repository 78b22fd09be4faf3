import { InvalidRequestError } from '../errors/invalid-request-error.js';
import type { GenerationRequest } from './generation-request.js';
import { jsonType, RequestFields } from './request-fields.js';
import { readMaxTokens, readSampling } from './sampling-fields.js';

/** OpenAI's default max_tokens for /v1/completions. */
export const COMPLETIONS_DEFAULT_MAX_TOKENS = 16;

const KNOWN_UNSUPPORTED = new Set(['logit_bias']);

/** Validates a /v1/completions body (one prompt string). */
export function parseCompletionRequest(body: unknown): GenerationRequest {
  const fields = RequestFields.of(body, '');
  const model = fields.string('model', { required: true, nonEmpty: true }) as string;
  const prompt = readPrompt(fields.raw('prompt'));
  const maxTokens = readMaxTokens(fields, 'max_tokens');
  const sampling = readSampling(fields);
  fields.onlyNeutral('echo', [false], 'the prompt is not echoed');
  fields.onlyNeutral('suffix', [''], 'insertion (suffix) is not implemented');
  fields.onlyNeutral('best_of', [1], 'only best_of 1 is implemented');
  fields.rejectUnread(KNOWN_UNSUPPORTED);
  return {
    endpoint: 'completion',
    model,
    input: { kind: 'prompt', prompt },
    maxTokens: maxTokens ?? COMPLETIONS_DEFAULT_MAX_TOKENS,
    maxTokensParam: 'max_tokens',
    ...sampling,
  };
}

function readPrompt(value: unknown): string {
  if (value === undefined) {
    throw new InvalidRequestError(
      "Missing required parameter 'prompt'",
      'prompt',
      'missing_required_parameter',
    );
  }
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) {
    if (value.length === 1 && typeof value[0] === 'string') return value[0];
    if (value.length !== 1) {
      throw new InvalidRequestError(
        `'prompt' has ${value.length} entries; this server takes one prompt per request`,
        'prompt',
        'invalid_value',
      );
    }
  }
  throw new InvalidRequestError(
    `'prompt' must be a string (token-id prompts are not supported), got ${jsonType(value)}`,
    'prompt',
    'invalid_type',
  );
}
