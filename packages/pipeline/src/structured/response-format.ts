import { InvalidPipelineInputError } from '../errors/invalid-pipeline-input-error.js';

/**
 * What the answer must be, enforced token by token (constrained decoding):
 * `text` (anything), `json_object` (one JSON object), `json_schema` (one JSON document valid against
 * `schema`), `regex` (text matching the whole pattern).
 */
export type ResponseFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | { type: 'json_schema'; schema: unknown }
  | { type: 'regex'; pattern: string };

/** Checks a responseFormat option's shape (the schema itself is checked when compiled). */
export function checkResponseFormat(format: unknown): ResponseFormat {
  const type =
    typeof format === 'object' && format !== null ? (format as { type?: unknown }).type : undefined;
  switch (type) {
    case 'text':
    case 'json_object':
      return format as ResponseFormat;
    case 'json_schema':
      if (!('schema' in (format as object)))
        throw new InvalidPipelineInputError('responseFormat.schema', 'is required for json_schema');
      return format as ResponseFormat;
    case 'regex':
      if (typeof (format as { pattern?: unknown }).pattern !== 'string') {
        throw new InvalidPipelineInputError('responseFormat.pattern', 'expected a string');
      }
      return format as ResponseFormat;
    default:
      throw new InvalidPipelineInputError(
        'responseFormat.type',
        `expected text, json_object, json_schema or regex, got ${JSON.stringify(type)}`,
      );
  }
}
