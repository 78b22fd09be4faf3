import { InvalidRequestError } from '../errors/invalid-request-error.js';
import type { GenerationRequest } from './generation-request.js';
import { jsonType, RequestFields } from './request-fields.js';

/** Largest max_tokens accepted before the context check (which says the real limit). */
const MAX_TOKENS_CEILING = 1 << 21;
const MAX_STOP_STRINGS = 4;
const MAX_STOP_LENGTH = 256;

type Sampling = Pick<
  GenerationRequest,
  'temperature' | 'topP' | 'topK' | 'seed' | 'stop' | 'stream' | 'includeUsage'
>;

/** Fields both endpoints share: sampling, stop, n, stream, stream_options, user and the no-op penalties. */
export function readSampling(fields: RequestFields): Sampling {
  const out: Sampling = { stream: false, includeUsage: false };
  const temperature = fields.number('temperature', 0, 2);
  if (temperature !== undefined) out.temperature = temperature;
  const topP = fields.number('top_p', 0, 1, { minExclusive: true });
  if (topP !== undefined) out.topP = topP;
  const topK = fields.integer('top_k', 0, 1_000_000);
  if (topK !== undefined) out.topK = topK;
  const seed = fields.integer('seed', 0, Number.MAX_SAFE_INTEGER);
  if (seed !== undefined) out.seed = seed;
  const stop = readStop(fields);
  if (stop !== undefined) out.stop = stop;
  const n = fields.raw('n');
  if (n !== undefined && n !== 1) {
    throw new InvalidRequestError(
      `'n' = ${JSON.stringify(n)} is not supported: this server returns exactly one choice (n must be 1); send separate requests for more`,
      'n',
      'unsupported_parameter',
    );
  }
  out.stream = fields.boolean('stream') ?? false;
  const streamOptions = fields.raw('stream_options');
  if (streamOptions !== undefined) {
    if (!out.stream) {
      throw new InvalidRequestError(
        "'stream_options' is only allowed when 'stream' is true",
        'stream_options',
        'invalid_value',
      );
    }
    const options = RequestFields.of(streamOptions, 'stream_options');
    out.includeUsage = options.boolean('include_usage') ?? false;
    options.rejectUnread();
  }
  fields.string('user'); // an end-user id for abuse tracking: accepted, not used
  fields.onlyNeutral('presence_penalty', [0], 'only 0 (off) is implemented');
  fields.onlyNeutral('frequency_penalty', [0], 'only 0 (off) is implemented');
  fields.onlyNeutral('logprobs', [false], 'log probabilities are not returned');
  return out;
}

export function readMaxTokens(fields: RequestFields, key: string): number | undefined {
  return fields.integer(key, 1, MAX_TOKENS_CEILING);
}

function readStop(fields: RequestFields): string[] | undefined {
  const value = fields.raw('stop');
  if (value === undefined) return undefined;
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list)) {
    throw new InvalidRequestError(
      `'stop' must be a string or an array of strings, got ${jsonType(value)}`,
      'stop',
      'invalid_type',
    );
  }
  if (list.length > MAX_STOP_STRINGS) {
    throw new InvalidRequestError(
      `'stop' has ${list.length} strings; at most ${MAX_STOP_STRINGS} are allowed`,
      'stop',
      'invalid_value',
    );
  }
  list.forEach((item: unknown, i) => {
    if (typeof item !== 'string' || item === '' || item.length > MAX_STOP_LENGTH) {
      throw new InvalidRequestError(
        `'stop[${i}]' must be a non-empty string of at most ${MAX_STOP_LENGTH} characters`,
        `stop[${i}]`,
        'invalid_value',
      );
    }
  });
  return list.length === 0 ? undefined : (list as string[]);
}
