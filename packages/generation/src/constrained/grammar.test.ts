import { Gemma3Error } from '@gemma3/errors';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { GrammarTooLargeError } from '../errors/grammar-too-large-error.js';
import { InvalidPatternError } from '../errors/invalid-pattern-error.js';
import { UnsupportedSchemaError } from '../errors/unsupported-schema-error.js';
import { byteVocabulary } from '../test-utils/byte-vocabulary.js';
import { checkJsonSchema, compileJsonSchemaGrammar, compileRegexGrammar } from './compile.js';
import type { CompiledGrammar } from './compiled-grammar.js';

const { vocabulary } = byteVocabulary(['ab', '"a', '{"', '},', 'é', '\u00e9"']);
const encoder = new TextEncoder();

/** Whether `text` is a complete match of the grammar (the DFA run over its UTF-8 bytes). */
function matches(grammar: CompiledGrammar, text: string): boolean {
  let state = grammar.dfa.start;
  for (const byte of encoder.encode(text)) {
    state = grammar.dfa.next(state, byte);
    if (state < 0) return false;
  }
  return grammar.dfa.isAccepting(state);
}

describe('regex grammar', () => {
  const regexes = [
    'a|b',
    '[a-c]+x?',
    '(?:ab|a)*b',
    '[^a]{2,3}',
    '\\d{1,3}(?:\\.\\d+)?',
    '[\\w.]+@[a-z]+',
    'é+[^\\s]',
    '.{0,2}z',
    '(x|yz)+',
    '[\\u00e0-\\u00ff]\\u{1F600}?',
  ];
  test.each(regexes)('accepts exactly what RegExp fully matches: %s', (source) => {
    const grammar = compileRegexGrammar(source, vocabulary);
    const reference = new RegExp(`^(?:${source})$`, 'u');
    const alphabet = ['a', 'b', 'c', 'x', 'y', 'z', '1', '.', '@', ' ', 'é', 'ÿ', '😀', '\n'];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...alphabet), { maxLength: 6 }), (parts) => {
        const text = parts.join('');
        expect(matches(grammar, text)).toBe(reference.test(text));
      }),
      { numRuns: 300, seed: 7 },
    );
  });

  test('code point classes cover exactly their code points in UTF-8', () => {
    const grammar = compileRegexGrammar('[\\u0080-\\u07ff\\u{10000}-\\u{10ffff}]', vocabulary);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0x10ffff }), (cp) => {
        if (cp >= 0xd800 && cp <= 0xdfff) return;
        const inside = (cp >= 0x80 && cp <= 0x7ff) || cp >= 0x10000;
        expect(matches(grammar, String.fromCodePoint(cp))).toBe(inside);
      }),
      { numRuns: 2000, seed: 3 },
    );
  });

  test.each([
    ['(?=a)b', 'lookaround'],
    ['a\\1', 'escape \\1'],
    ['a^b', 'anchor ^'],
    ['a$b', 'anchor $'],
    ['(ab', 'missing )'],
    ['[z-a]', 'out of order'],
    ['a{3,1}', 'max < min'],
    ['a{5000}', 'above 1000'],
    ['\\p{L}', 'escape \\p'],
    ['*a', 'nothing to repeat'],
  ])('refuses %s with InvalidPatternError (%s)', (source, reason) => {
    const error = (() => {
      try {
        compileRegexGrammar(source, vocabulary);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(InvalidPatternError);
    expect((error as InvalidPatternError).code).toBe('generation/invalid-pattern');
    expect((error as Error).message).toContain(reason);
  });
});

describe('JSON Schema grammar', () => {
  test('object with required and optional properties, in order', () => {
    const grammar = compileJsonSchemaGrammar(
      {
        type: 'object',
        properties: { a: { type: 'integer' }, b: { type: 'string' }, c: { type: 'boolean' } },
        required: ['b'],
      },
      vocabulary,
    );
    for (const ok of [
      '{"b":""}',
      '{"a":1,"b":"x"}',
      '{ "b" : "x" , "c" : true }',
      '\n{"a":-0,"b":"\\n","c":false}',
    ]) {
      expect(matches(grammar, ok), ok).toBe(true);
    }
    for (const bad of [
      '{}',
      '{"a":1}',
      '{"b":"x",}',
      '{"c":true,"b":""}',
      '{"b":1}',
      '{"a":01,"b":""}',
      '{"b":""} ',
    ]) {
      expect(matches(grammar, bad), bad).toBe(false);
    }
  });

  test('arrays with min/max items, enums, const, anyOf, nullable, formats, patterns', () => {
    const grammar = compileJsonSchemaGrammar(
      {
        type: 'object',
        properties: {
          list: { type: 'array', items: { enum: ['x', 2, null] }, minItems: 1, maxItems: 2 },
          one: { const: { k: [1] } },
          either: { anyOf: [{ type: 'number' }, { type: 'string', format: 'date' }] },
          maybe: { type: 'string', nullable: true, pattern: '^[a-z]"$' },
        },
        required: ['list', 'one', 'either', 'maybe'],
        additionalProperties: false,
      },
      vocabulary,
    );
    expect(matches(grammar, '{"list":["x"],"one":{"k":[1]},"either":1.5e3,"maybe":null}')).toBe(true);
    expect(matches(grammar, '{"list":[2, null],"one":{"k":[1]},"either":"2024-02-28","maybe":"q\\""}')).toBe(
      true,
    );
    expect(matches(grammar, '{"list":[],"one":{"k":[1]},"either":1,"maybe":null}')).toBe(false);
    expect(matches(grammar, '{"list":[2,2,2],"one":{"k":[1]},"either":1,"maybe":null}')).toBe(false);
    expect(matches(grammar, '{"list":[2],"one":{"k":[1]},"either":"2024-02-30","maybe":null}')).toBe(false);
    expect(matches(grammar, '{"list":[2],"one":{"k":[1]},"either":1,"maybe":"q"}')).toBe(false);
  });

  test('prefix, suffix, and text without the prefix as the other choice', () => {
    const grammar = compileJsonSchemaGrammar(
      { type: 'object', properties: { a: { type: 'integer' } }, required: ['a'] },
      vocabulary,
      {
        prefix: '```call\n',
        suffix: '\n```',
        orTextWithoutPrefix: true,
      },
    );
    for (const ok of [
      '',
      'hello',
      '`',
      '``',
      '```c',
      '```cal',
      '```cx {',
      'Sure: ```call\nx',
      '```call\n{"a":1}\n```',
    ]) {
      expect(matches(grammar, ok), ok).toBe(true);
    }
    for (const bad of ['```call\n', '```call\n{"a":1}', '```call\n{"a":"x"}\n```', '```call\nhello']) {
      expect(matches(grammar, bad), bad).toBe(false);
    }
  });

  test('integer ranges: exactly the integers within the bounds', () => {
    const ranges: [number, number][] = [
      [0, 0],
      [-5, 5],
      [7, 123],
      [-1200, -13],
      [99, 1001],
      [-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
    ];
    for (const [lo, hi] of ranges) {
      const grammar = compileJsonSchemaGrammar({ type: 'integer', minimum: lo, maximum: hi }, vocabulary);
      fc.assert(
        fc.property(
          fc.oneof(fc.integer({ min: lo - 50, max: hi + 50 }), fc.integer({ min: -3000, max: 3000 })),
          (n) => {
            expect(matches(grammar, String(n)), `${n} in [${lo}, ${hi}]`).toBe(n >= lo && n <= hi);
          },
        ),
        { numRuns: 300, seed: 5 },
      );
      expect(matches(grammar, '01')).toBe(false);
    }
    const open = compileJsonSchemaGrammar({ type: 'integer', exclusiveMinimum: 9 }, vocabulary);
    expect([9, 10, 99999999999].map((n) => matches(open, String(n)))).toEqual([false, true, true]);
    const below = compileJsonSchemaGrammar({ type: 'integer', exclusiveMaximum: -9 }, vocabulary);
    expect([-9, -10, -99999999999].map((n) => matches(below, String(n)))).toEqual([false, true, true]);
  });

  test('allOf with one subschema (a described $ref) is that subschema', () => {
    const grammar = compileJsonSchemaGrammar(
      {
        type: 'object',
        properties: { when: { allOf: [{ $ref: '#/$defs/day' }], description: 'the day' } },
        required: ['when'],
        $defs: { day: { type: 'string', format: 'date' } },
      },
      vocabulary,
    );
    expect(matches(grammar, '{"when":"2024-05-01"}')).toBe(true);
    expect(matches(grammar, '{"when":"May 1"}')).toBe(false);
  });

  test('string lengths count characters, escapes included', () => {
    const grammar = compileJsonSchemaGrammar({ type: 'string', minLength: 2, maxLength: 3 }, vocabulary);
    for (const ok of ['"ab"', '"é\\n"', '"\\u00e9ab"']) expect(matches(grammar, ok), ok).toBe(true);
    for (const bad of ['"a"', '"abcd"', '"\t"', '"a\\x"']) expect(matches(grammar, bad), bad).toBe(false);
  });

  test.each([
    [{ type: 'object', properties: { a: { type: 'number', minimum: 3 } } }, '#/properties/a', 'minimum'],
    [{ maximum: 3 }, '#', 'maximum'],
    [{ allOf: [{ type: 'string' }, { maxLength: 3 }] }, '#', 'allOf'],
    [{ type: 'integer', minimum: 5, maximum: 4 }, '#', 'minimum'],
    [{ type: 'strin' }, '#', 'type'],
    [{ oneOf: [{ type: 'string' }] }, '#', 'oneOf'],
    [{ type: 'object', additionalProperties: { type: 'string' } }, '#', 'additionalProperties'],
    [{ type: 'object', properties: { a: {} }, required: ['b'] }, '#', 'required'],
    [{ type: 'string', format: 'hostname' }, '#', 'format'],
    [{ type: 'array', items: [{ type: 'string' }] }, '#', 'items'],
    [{ $ref: '#/$defs/a', $defs: { a: { $ref: '#/$defs/a' } } }, '#/$defs/a', '$ref'],
    [{ $ref: 'http://example.com/s.json' }, '#', '$ref'],
    [{ type: 'string', items: { type: 'string' } }, '#', 'items'],
    [{ type: 'integer', enum: ['a'] }, '#', 'enum'],
    ['nope', '#', '(schema)'],
  ])('refuses %j with UnsupportedSchemaError at %s naming %s', (schema, path, keyword) => {
    const error = (() => {
      try {
        compileJsonSchemaGrammar(schema, vocabulary);
      } catch (e) {
        return e;
      }
      return undefined;
    })() as UnsupportedSchemaError;
    expect(error).toBeInstanceOf(UnsupportedSchemaError);
    expect(error.code).toBe('generation/unsupported-schema');
    expect(error.path).toBe(path);
    expect(error.keyword).toBe(keyword);
    expect(() => checkJsonSchema(schema)).toThrow(UnsupportedSchemaError);
  });

  test('fuzzed schemas and regexes: compile or a typed error, never anything else', () => {
    const keyword = fc.constantFrom(
      'type',
      'properties',
      'required',
      'items',
      'enum',
      'const',
      'anyOf',
      'minItems',
      'maxItems',
      'minLength',
      'maxLength',
      'pattern',
      'format',
      'minimum',
      'maximum',
      'nullable',
      '$ref',
      'additionalProperties',
      '$defs',
      'oneOf',
    );
    const value = fc.oneof(
      fc.jsonValue({ maxDepth: 3 }),
      fc.constantFrom(
        'string',
        'integer',
        'object',
        'array',
        'null',
        '#',
        '#/$defs/a',
        'date',
        '[a-',
        '(a|b)*',
        -1,
        1e9,
      ),
    );
    const schema = fc.letrec<{ node: unknown }>((tie) => ({
      node: fc.oneof(
        { depthSize: 'small' },
        value,
        fc.dictionary(keyword, fc.oneof(value, tie('node'), fc.array(tie('node'), { maxLength: 3 })), {
          maxKeys: 4,
        }),
      ),
    })).node;
    fc.assert(
      fc.property(schema, (s) => {
        try {
          compileJsonSchemaGrammar(s, vocabulary);
        } catch (error) {
          expect(Gemma3Error.isInstance(error), String(error)).toBe(true);
        }
      }),
      { numRuns: 400, seed: 21 },
    );
    fc.assert(
      fc.property(
        fc.string({ maxLength: 12, unit: fc.constantFrom(...'ab()[]{}|*+?.^$\\-,0123dswu'.split('')) }),
        (source) => {
          try {
            compileRegexGrammar(source, vocabulary);
          } catch (error) {
            expect(Gemma3Error.isInstance(error), `${source}: ${String(error)}`).toBe(true);
          }
        },
      ),
      { numRuns: 1000, seed: 22 },
    );
  });

  test('too deep and too large schemas are refused quickly, with GrammarTooLargeError', () => {
    let deep: unknown = { type: 'string' };
    for (let i = 0; i < 100; i++) deep = { type: 'array', items: deep };
    const started = performance.now();
    expect(() => compileJsonSchemaGrammar(deep, vocabulary)).toThrow(GrammarTooLargeError);
    const wide = {
      type: 'object',
      properties: Object.fromEntries(
        Array.from({ length: 60 }, (_, i) => [
          `p${i}`,
          { type: 'array', items: { type: 'string', maxLength: 1000 }, maxItems: 50 },
        ]),
      ),
    };
    expect(() => compileJsonSchemaGrammar(wide, vocabulary)).toThrow(GrammarTooLargeError);
    expect(performance.now() - started).toBeLessThan(20_000);
  });
});
