import { CompiledGrammar, type GrammarLimits } from './compiled-grammar.js';
import { schemaToPattern } from './json-schema-pattern.js';
import { anyJsonObject, anyJsonValue, jsonDocument } from './json-text.js';
import { buildNfa, DEFAULT_MAX_NFA_STATES } from './nfa.js';
import { alt, literal, type Pattern, seq, textNotStartingWith } from './pattern.js';
import { parseRegex } from './regex-parser.js';
import type { TokenVocabulary } from './token-vocabulary.js';

export interface JsonConstraintOptions extends GrammarLimits {
  /** Literal text before the JSON document (e.g. an opening code fence). */
  prefix?: string;
  /** Literal text after the JSON document (e.g. a closing code fence). */
  suffix?: string;
  /**
   * Also allow, instead of prefix + document + suffix, any text that does not start with `prefix`
   * (a model that may answer in words or write a fenced call). Needs a non-empty prefix.
   */
  orTextWithoutPrefix?: boolean;
  /** Nesting bound for free JSON (the language must be regular). Default 6. */
  anyJsonDepth?: number;
  /** Schema nodes nested deeper are refused. Default 32. */
  maxSchemaDepth?: number;
}

const DEFAULT_ANY_JSON_DEPTH = 6;
const DEFAULT_MAX_SCHEMA_DEPTH = 32;

/**
 * Output = one JSON document (optional leading whitespace, then the value; the end token right after).
 * `object: true` (OpenAI's json_object) requires an object at the top.
 */
export function compileJsonGrammar(
  vocabulary: TokenVocabulary,
  options: JsonConstraintOptions & { object?: boolean } = {},
): CompiledGrammar {
  const depth = options.anyJsonDepth ?? DEFAULT_ANY_JSON_DEPTH;
  return new CompiledGrammar(
    framed(jsonDocument(options.object ? anyJsonObject(depth) : anyJsonValue(depth)), options),
    vocabulary,
    options,
  );
}

/** Output = one JSON document valid against `schema` (see schemaToPattern for what is supported). */
export function compileJsonSchemaGrammar(
  schema: unknown,
  vocabulary: TokenVocabulary,
  options: JsonConstraintOptions = {},
): CompiledGrammar {
  const pattern = schemaToPattern(schema, {
    anyJsonDepth: options.anyJsonDepth ?? DEFAULT_ANY_JSON_DEPTH,
    maxSchemaDepth: options.maxSchemaDepth ?? DEFAULT_MAX_SCHEMA_DEPTH,
  });
  return new CompiledGrammar(framed(jsonDocument(pattern), options), vocabulary, options);
}

function framed(document: Pattern, options: JsonConstraintOptions): Pattern {
  const prefix = options.prefix ?? '';
  const whole = seq(literal(prefix), document, literal(options.suffix ?? ''));
  return options.orTextWithoutPrefix && prefix !== '' ? alt(whole, textNotStartingWith(prefix)) : whole;
}

/** Output = text matching the whole regular expression (see parseRegex for the syntax). */
export function compileRegexGrammar(
  source: string,
  vocabulary: TokenVocabulary,
  options: GrammarLimits = {},
): CompiledGrammar {
  return new CompiledGrammar(parseRegex(source), vocabulary, options);
}

/**
 * Checks that `schema` can be enforced, without a vocabulary (e.g. while validating a request):
 * throws what compileJsonSchemaGrammar would (UnsupportedSchemaError, InvalidPatternError,
 * GrammarTooLargeError), within the same bounds.
 */
export function checkJsonSchema(schema: unknown, options: JsonConstraintOptions = {}): void {
  const pattern = schemaToPattern(schema, {
    anyJsonDepth: options.anyJsonDepth ?? DEFAULT_ANY_JSON_DEPTH,
    maxSchemaDepth: options.maxSchemaDepth ?? DEFAULT_MAX_SCHEMA_DEPTH,
  });
  buildNfa(jsonDocument(pattern), options.maxNfaStates ?? DEFAULT_MAX_NFA_STATES);
}
