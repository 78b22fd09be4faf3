import { GrammarTooLargeError } from '../errors/grammar-too-large-error.js';
import { UnsupportedSchemaError } from '../errors/unsupported-schema-error.js';
import { integerRange } from './integer-range.js';
import {
  anyJsonObject,
  anyJsonValue,
  jsonArrayOf,
  jsonInteger,
  jsonLiteral,
  jsonNumber,
  jsonString,
  jsonStringMatching,
  whitespace,
} from './json-text.js';
import { alt, literal, optional, type Pattern, repeat, seq } from './pattern.js';
import { parseRegex } from './regex-parser.js';
import { formatPattern, SUPPORTED_FORMATS } from './string-formats.js';

export interface SchemaPatternOptions {
  /** Nesting bound for values the schema leaves free (`{}`, `type: "object"` without properties). */
  anyJsonDepth: number;
  /** Schema nodes deeper than this are refused (bounded compile time). */
  maxSchemaDepth: number;
}

/** Keywords that only describe: read past without effect on what is generated. */
const ANNOTATIONS = new Set([
  '$schema',
  '$id',
  '$comment',
  'title',
  'description',
  'default',
  'examples',
  'deprecated',
  'readOnly',
  'writeOnly',
  '$defs',
  'definitions',
]);

const TYPES = new Set(['string', 'number', 'integer', 'boolean', 'null', 'object', 'array']);

/**
 * Compiles a JSON Schema to the pattern of the JSON texts that validate against it. Supported:
 * `type` (one or a list), `enum`, `const`, `anyOf`, `nullable`, local `$ref` (`#/$defs/...`,
 * `#/definitions/...`, `#`, not recursive), objects (`properties`, `required`, `additionalProperties`
 * false or true), arrays (`items`, `minItems`, `maxItems`), strings (`minLength`, `maxLength`,
 * `pattern`, `format`: date, time, date-time, uuid, email, ipv4). Properties are generated in the
 * schema's order, optional ones may be left out, no property outside `properties` is generated.
 * Every other keyword is an UnsupportedSchemaError naming it and its path: nothing is silently ignored.
 */
export function schemaToPattern(schema: unknown, options: SchemaPatternOptions): Pattern {
  return new SchemaCompiler(schema, options).compile(schema, '#', 0, [], 0);
}

type SchemaObject = Readonly<Record<string, unknown>>;

class SchemaCompiler {
  constructor(
    private readonly root: unknown,
    private readonly options: SchemaPatternOptions,
  ) {}

  compile(schema: unknown, path: string, depth: number, refs: readonly string[], level: number): Pattern {
    if (depth > this.options.maxSchemaDepth) {
      throw new GrammarTooLargeError({
        what: 'schema nesting levels',
        limit: this.options.maxSchemaDepth,
        detail: `at ${path}`,
      });
    }
    if (schema === true) return this.free(level);
    if (schema === false)
      throw new UnsupportedSchemaError({
        path,
        keyword: 'false',
        reason: 'the schema false allows no value',
      });
    if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
      throw new UnsupportedSchemaError({
        path,
        keyword: '(schema)',
        reason: 'a schema must be an object or a boolean',
      });
    }
    const s = schema as SchemaObject;
    if (typeof s.$ref === 'string') return this.ref(s, path, depth, refs, level);
    for (const key of Object.keys(s)) {
      if (!ANNOTATIONS.has(key) && !HANDLED.has(key)) {
        throw new UnsupportedSchemaError({
          path,
          keyword: key,
          reason: 'keyword not supported by constrained decoding',
        });
      }
    }
    let pattern = this.compileOwn(s, path, depth, refs, level);
    if (s.nullable === true) pattern = alt(pattern, literal('null'));
    return pattern;
  }

  private compileOwn(
    s: SchemaObject,
    path: string,
    depth: number,
    refs: readonly string[],
    level: number,
  ): Pattern {
    if ('const' in s) return jsonLiteral(s.const);
    if ('enum' in s) {
      if (!Array.isArray(s.enum) || s.enum.length === 0) {
        throw new UnsupportedSchemaError({ path, keyword: 'enum', reason: 'must be a non-empty array' });
      }
      const values =
        s.type === undefined ? s.enum : s.enum.filter((v) => this.types(s, path).some((t) => hasType(v, t)));
      if (values.length === 0) {
        throw new UnsupportedSchemaError({
          path,
          keyword: 'enum',
          reason: "no value of the enum has the schema's type",
        });
      }
      return alt(...values.map(jsonLiteral));
    }
    if ('allOf' in s) {
      // one subschema (how generators attach a description to a $ref) is that subschema; more would
      // need an intersection of languages, which is not supported
      if (!Array.isArray(s.allOf) || s.allOf.length !== 1) {
        throw new UnsupportedSchemaError({
          path,
          keyword: 'allOf',
          reason: 'only an allOf of exactly one schema is supported',
        });
      }
      const siblings = Object.keys(s).filter((k) => !ANNOTATIONS.has(k) && k !== 'allOf');
      if (siblings.length > 0) {
        throw new UnsupportedSchemaError({
          path,
          keyword: siblings[0] as string,
          reason: 'not supported beside allOf',
        });
      }
      return this.compile(s.allOf[0], `${path}/allOf/0`, depth + 1, refs, level);
    }
    if ('anyOf' in s) {
      if (!Array.isArray(s.anyOf) || s.anyOf.length === 0) {
        throw new UnsupportedSchemaError({ path, keyword: 'anyOf', reason: 'must be a non-empty array' });
      }
      const siblings = Object.keys(s).filter((k) => !ANNOTATIONS.has(k) && k !== 'anyOf' && k !== 'nullable');
      if (siblings.length > 0) {
        throw new UnsupportedSchemaError({
          path,
          keyword: siblings[0] as string,
          reason: 'not supported beside anyOf (move it into each branch)',
        });
      }
      return alt(
        ...s.anyOf.map((branch, i) => this.compile(branch, `${path}/anyOf/${i}`, depth + 1, refs, level)),
      );
    }
    const types = this.types(s, path);
    return alt(...types.map((type) => this.typed(type, s, path, depth, refs, level)));
  }

  private types(s: SchemaObject, path: string): string[] {
    if (s.type === undefined) {
      // No type: infer it from the keywords present, or allow any value.
      if ('properties' in s || 'required' in s || 'additionalProperties' in s) return ['object'];
      if ('items' in s || 'minItems' in s || 'maxItems' in s) return ['array'];
      if ('pattern' in s || 'format' in s || 'minLength' in s || 'maxLength' in s) return ['string'];
      const bound = BOUNDS.find((k) => k in s);
      if (bound !== undefined)
        throw new UnsupportedSchemaError({ path, keyword: bound, reason: 'needs type "integer"' });
      return ['any'];
    }
    const list = Array.isArray(s.type) ? s.type : [s.type];
    if (list.length === 0)
      throw new UnsupportedSchemaError({ path, keyword: 'type', reason: 'empty type list' });
    for (const type of list) {
      if (typeof type !== 'string' || !TYPES.has(type)) {
        throw new UnsupportedSchemaError({
          path,
          keyword: 'type',
          reason: `unknown type ${JSON.stringify(type)}`,
        });
      }
    }
    return list as string[];
  }

  private typed(
    type: string,
    s: SchemaObject,
    path: string,
    depth: number,
    refs: readonly string[],
    level: number,
  ): Pattern {
    this.checkKeywordsFor(type, s, path);
    switch (type) {
      case 'string':
        return this.string(s, path);
      case 'integer':
        return this.integer(s, path);
      case 'number':
        for (const keyword of BOUNDS) {
          if (keyword in s) {
            throw new UnsupportedSchemaError({
              path,
              keyword,
              reason: 'bounds are supported on integers only, not numbers',
            });
          }
        }
        return jsonNumber;
      case 'boolean':
        return alt(literal('true'), literal('false'));
      case 'null':
        return literal('null');
      case 'object':
        return this.object(s, path, depth, refs, level);
      case 'array':
        return this.array(s, path, depth, refs, level);
      default:
        return this.free(level);
    }
  }

  /** A keyword of another type beside a single type is a mistake worth naming (e.g. items on a string). */
  private checkKeywordsFor(type: string, s: SchemaObject, path: string): void {
    if (Array.isArray(s.type) || type === 'any') return;
    for (const [keyword, owner] of KEYWORD_TYPE) {
      if (keyword in s && owner !== type) {
        throw new UnsupportedSchemaError({ path, keyword, reason: `applies to type ${owner}, not ${type}` });
      }
    }
  }

  private string(s: SchemaObject, path: string): Pattern {
    const minLength = this.count(s, 'minLength', path, 0);
    const maxLength = this.count(s, 'maxLength', path, Number.POSITIVE_INFINITY);
    if (maxLength < minLength)
      throw new UnsupportedSchemaError({ path, keyword: 'maxLength', reason: 'is below minLength' });
    const bounded = 'minLength' in s || 'maxLength' in s;
    if (s.pattern !== undefined || s.format !== undefined) {
      if (bounded) {
        throw new UnsupportedSchemaError({
          path,
          keyword: 'minLength/maxLength',
          reason: 'not supported together with pattern or format',
        });
      }
      if (s.pattern !== undefined && s.format !== undefined) {
        throw new UnsupportedSchemaError({
          path,
          keyword: 'format',
          reason: 'not supported together with pattern',
        });
      }
      if (s.pattern !== undefined) {
        if (typeof s.pattern !== 'string')
          throw new UnsupportedSchemaError({ path, keyword: 'pattern', reason: 'must be a string' });
        return jsonStringMatching(parseRegex(s.pattern));
      }
      const format = formatPattern(String(s.format));
      if (format === undefined) {
        throw new UnsupportedSchemaError({
          path,
          keyword: 'format',
          reason: `format ${JSON.stringify(s.format)} is not supported (supported: ${SUPPORTED_FORMATS.join(', ')})`,
        });
      }
      return jsonStringMatching(format);
    }
    return jsonString(minLength, maxLength);
  }

  private object(
    s: SchemaObject,
    path: string,
    depth: number,
    refs: readonly string[],
    level: number,
  ): Pattern {
    const extra = s.additionalProperties;
    if (extra !== undefined && typeof extra !== 'boolean') {
      throw new UnsupportedSchemaError({
        path,
        keyword: 'additionalProperties',
        reason: 'only true or false is supported',
      });
    }
    const properties = s.properties ?? {};
    if (typeof properties !== 'object' || properties === null || Array.isArray(properties)) {
      throw new UnsupportedSchemaError({ path, keyword: 'properties', reason: 'must be an object' });
    }
    const names = Object.keys(properties);
    const required = s.required ?? [];
    if (!Array.isArray(required) || required.some((r) => typeof r !== 'string')) {
      throw new UnsupportedSchemaError({ path, keyword: 'required', reason: 'must be an array of strings' });
    }
    for (const name of required as string[]) {
      if (!names.includes(name)) {
        throw new UnsupportedSchemaError({
          path,
          keyword: 'required',
          reason: `${JSON.stringify(name)} is not in properties`,
        });
      }
    }
    if (names.length === 0) {
      if (extra === false) return seq(literal('{'), whitespace, literal('}'));
      return anyJsonObject(Math.max(1, this.options.anyJsonDepth - level));
    }
    const members = names.map((name) => ({
      required: (required as string[]).includes(name),
      pattern: seq(
        jsonLiteral(name),
        whitespace,
        literal(':'),
        whitespace,
        this.compile(
          (properties as SchemaObject)[name],
          `${path}/properties/${escapePointer(name)}`,
          depth + 1,
          refs,
          level + 1,
        ),
      ),
    }));
    const comma = seq(whitespace, literal(','), whitespace);
    // after(i): members i.. when one was already written (each needs a comma before it)
    const after = (i: number): Pattern =>
      seq(
        ...members
          .slice(i)
          .map((m) => (m.required ? seq(comma, m.pattern) : optional(seq(comma, m.pattern)))),
      );
    // first(i): members i.. when none was written yet
    const first = (i: number): Pattern => {
      const m = members[i];
      if (m === undefined) return seq();
      if (m.required) return seq(m.pattern, after(i + 1));
      return alt(seq(m.pattern, after(i + 1)), first(i + 1));
    };
    return seq(literal('{'), whitespace, first(0), whitespace, literal('}'));
  }

  private array(
    s: SchemaObject,
    path: string,
    depth: number,
    refs: readonly string[],
    level: number,
  ): Pattern {
    const minItems = this.count(s, 'minItems', path, 0);
    const maxItems = this.count(s, 'maxItems', path, Number.POSITIVE_INFINITY);
    if (maxItems < minItems)
      throw new UnsupportedSchemaError({ path, keyword: 'maxItems', reason: 'is below minItems' });
    if (Array.isArray(s.items)) {
      throw new UnsupportedSchemaError({
        path,
        keyword: 'items',
        reason: 'tuple form (an array of schemas) is not supported',
      });
    }
    const item =
      s.items === undefined
        ? this.free(level + 1)
        : this.compile(s.items, `${path}/items`, depth + 1, refs, level + 1);
    if (maxItems === 0) return seq(literal('['), whitespace, literal(']'));
    if (minItems === 0 && maxItems === Number.POSITIVE_INFINITY) return jsonArrayOf(item);
    const comma = seq(whitespace, literal(','), whitespace);
    const open = seq(literal('['), whitespace);
    const close = seq(whitespace, literal(']'));
    const rest = repeat(seq(comma, item), Math.max(0, minItems - 1), maxItems - 1);
    const nonEmpty = seq(open, item, rest, close);
    return minItems === 0 ? alt(seq(open, literal(']')), nonEmpty) : nonEmpty;
  }

  private ref(s: SchemaObject, path: string, depth: number, refs: readonly string[], level: number): Pattern {
    const ref = s.$ref as string;
    const others = Object.keys(s).filter((k) => k !== '$ref' && !ANNOTATIONS.has(k));
    if (others.length > 0) {
      throw new UnsupportedSchemaError({
        path,
        keyword: others[0] as string,
        reason: 'not supported beside $ref',
      });
    }
    if (refs.includes(ref)) {
      throw new UnsupportedSchemaError({
        path,
        keyword: '$ref',
        reason: `recursive reference ${ref} is not supported`,
      });
    }
    if (ref !== '#' && !ref.startsWith('#/')) {
      throw new UnsupportedSchemaError({
        path,
        keyword: '$ref',
        reason: `only local references (#/...) are supported, got ${ref}`,
      });
    }
    let target: unknown = this.root;
    for (const part of ref === '#' ? [] : ref.slice(2).split('/')) {
      const key = part.replaceAll('~1', '/').replaceAll('~0', '~');
      target = typeof target === 'object' && target !== null ? (target as SchemaObject)[key] : undefined;
      if (target === undefined) {
        throw new UnsupportedSchemaError({ path, keyword: '$ref', reason: `${ref} does not resolve` });
      }
    }
    return this.compile(target, ref, depth + 1, [...refs, ref], level);
  }

  /** Integers, with minimum / maximum / exclusiveMinimum / exclusiveMaximum as a digit-range pattern. */
  private integer(s: SchemaObject, path: string): Pattern {
    let lo = Number.NEGATIVE_INFINITY;
    let hi = Number.POSITIVE_INFINITY;
    for (const keyword of ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum'] as const) {
      const value = s[keyword];
      if (value === undefined) continue;
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        throw new UnsupportedSchemaError({ path, keyword, reason: 'must be a finite number' });
      }
      if (keyword === 'minimum') lo = Math.max(lo, Math.ceil(value));
      if (keyword === 'exclusiveMinimum') lo = Math.max(lo, Math.floor(value) + 1);
      if (keyword === 'maximum') hi = Math.min(hi, Math.floor(value));
      if (keyword === 'exclusiveMaximum') hi = Math.min(hi, Math.ceil(value) - 1);
    }
    if (lo === Number.NEGATIVE_INFINITY && hi === Number.POSITIVE_INFINITY) return jsonInteger;
    if (lo > hi)
      throw new UnsupportedSchemaError({ path, keyword: 'minimum', reason: 'no integer is in the range' });
    if (Math.abs(lo) > Number.MAX_SAFE_INTEGER * 10 || Math.abs(hi) > Number.MAX_SAFE_INTEGER * 10) {
      if (Number.isFinite(lo) && Number.isFinite(hi)) {
        throw new UnsupportedSchemaError({
          path,
          keyword: 'minimum',
          reason: 'bounds beyond 9e16 are not supported',
        });
      }
    }
    return integerRange(lo, hi);
  }

  /** Any JSON value at JSON nesting `level`: free values share the document's nesting bound. */
  private free(level: number): Pattern {
    return anyJsonValue(Math.max(0, this.options.anyJsonDepth - level));
  }

  private count(s: SchemaObject, keyword: string, path: string, fallback: number): number {
    const value = s[keyword];
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
      throw new UnsupportedSchemaError({ path, keyword, reason: 'must be a non-negative integer' });
    }
    if (value > 1000) {
      throw new UnsupportedSchemaError({
        path,
        keyword,
        reason: 'counts above 1000 are not supported (the automaton holds one copy per count)',
      });
    }
    return value;
  }
}

/** Keywords this compiler implements, with the type they belong to (undefined: any type). */
const KEYWORD_TYPE: ReadonlyMap<string, string> = new Map([
  ['properties', 'object'],
  ['required', 'object'],
  ['additionalProperties', 'object'],
  ['items', 'array'],
  ['minItems', 'array'],
  ['maxItems', 'array'],
  ['minLength', 'string'],
  ['maxLength', 'string'],
  ['pattern', 'string'],
  ['format', 'string'],
  ['minimum', 'integer'],
  ['maximum', 'integer'],
  ['exclusiveMinimum', 'integer'],
  ['exclusiveMaximum', 'integer'],
]);

const BOUNDS = ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum'];

const HANDLED = new Set([
  'type',
  'enum',
  'const',
  'anyOf',
  'allOf',
  'nullable',
  '$ref',
  ...KEYWORD_TYPE.keys(),
]);

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case 'null':
      return value === null;
    case 'integer':
      return Number.isInteger(value);
    case 'number':
      return typeof value === 'number';
    case 'array':
      return Array.isArray(value);
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    default:
      return typeof value === type;
  }
}

function escapePointer(name: string): string {
  return name.replaceAll('~', '~0').replaceAll('/', '~1');
}
