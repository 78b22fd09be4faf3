import { readFileSync } from 'node:fs';
import type { ResponseFormat } from '@gemma3/pipeline';
import type { CommandOptions } from '../command.js';
import { UsageError } from '../errors/usage-error.js';

type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

/** Flags of `run` that constrain the answer (constrained decoding). */
export const STRUCTURED_OPTIONS: CommandOptions = {
  'json-schema': { type: 'string' },
  grammar: { type: 'string' },
  regex: { type: 'string' },
};

export const STRUCTURED_HELP = `Output constraints (every token is checked while generating; one of):
  --json-schema FILE   the answer is one JSON document valid against the JSON Schema in FILE
  --grammar json       the answer is one JSON object
  --regex PATTERN      the answer matches the whole regular expression`;

/** The responseFormat the flags ask for, or nothing. Bad flags or an unreadable schema file: UsageError. */
export function structuredOptions(values: Values, command: string): { responseFormat?: ResponseFormat } {
  const given = ['json-schema', 'grammar', 'regex'].filter((flag) => values[flag] !== undefined);
  if (given.length > 1)
    throw new UsageError(
      `give one of --json-schema, --grammar, --regex, not ${given.map((f) => `--${f}`).join(' and ')}`,
      command,
    );
  const grammar = values.grammar;
  if (grammar !== undefined) {
    if (grammar !== 'json') throw new UsageError(`--grammar must be json, got "${String(grammar)}"`, command);
    return { responseFormat: { type: 'json_object' } };
  }
  if (typeof values.regex === 'string') return { responseFormat: { type: 'regex', pattern: values.regex } };
  const file = values['json-schema'];
  if (typeof file !== 'string') return {};
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(
      `--json-schema: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      command,
    );
  }
  try {
    return { responseFormat: { type: 'json_schema', schema: JSON.parse(text) } };
  } catch {
    throw new UsageError(`--json-schema: ${file} is not valid JSON`, command);
  }
}
