import type { Tokenizer } from '@gemma3/tokenizer';
import Ajv2019 from 'ajv/dist/2019.js';
import addFormats from 'ajv-formats';
import fc from 'fast-check';
import { beforeAll, describe, expect, test } from 'vitest';
import { generate } from '../generate.js';
import { loadGemmaVocabulary } from '../test-utils/gemma-vocabulary.js';
import { RotatingModel } from '../test-utils/rotating-model.js';
import { compileJsonSchemaGrammar } from './compile.js';
import type { GrammarConstraint } from './grammar-constraint.js';
import type { TokenVocabulary } from './token-vocabulary.js';

let tokenizer: Tokenizer;
let vocabulary: TokenVocabulary;
const ajv = new (Ajv2019 as unknown as typeof Ajv2019.default)({ strict: false });
(addFormats as unknown as typeof addFormats.default)(ajv);
const EOS = [1, 106];
const VOCAB = 262208; // Gemma 3's logits width: ids past the tokenizer's are never allowed

beforeAll(async () => {
  ({ tokenizer, vocabulary } = await loadGemmaVocabulary());
}, 60_000);

const names = fc.constantFrom('a', 'name', 'x y', 'é', 'k"q', 'list');
const leaf: fc.Arbitrary<object> = fc.oneof(
  fc.constant({ type: 'string' }),
  fc
    .integer({ min: 0, max: 3 })
    .chain((min) =>
      fc.integer({ min, max: 6 }).map((max) => ({ type: 'string', minLength: min, maxLength: max })),
    ),
  fc.constant({ type: 'integer' }),
  fc
    .tuple(fc.integer({ min: -100_000, max: 100_000 }), fc.integer({ min: 0, max: 100_000 }))
    .map(([minimum, width]) => ({ type: 'integer', minimum, maximum: minimum + width })),
  fc.constant({ type: 'number' }),
  fc.constant({ type: 'boolean' }),
  fc.constant({ type: 'null' }),
  fc.constant({ type: ['string', 'null'] }),
  fc.constant({ type: 'integer', nullable: true }),
  fc
    .array(fc.oneof(fc.string({ maxLength: 4 }), fc.integer(), fc.constant(null), fc.boolean()), {
      minLength: 1,
      maxLength: 4,
    })
    .map((values) => ({ enum: values })),
  fc.jsonValue({ maxDepth: 2 }).map((value) => ({ const: value })),
  fc
    .constantFrom('date', 'time', 'date-time', 'uuid', 'email', 'ipv4')
    .map((format) => ({ type: 'string', format })),
  fc
    .constantFrom('^[A-Z]{2}-\\d{3}$', '(yes|no)', '[a-f0-9]{4,8}', '"[^"]*"', '\\w+( \\w+)?')
    .map((pattern) => ({ type: 'string', pattern })),
  fc.constant({}),
);
const schema: fc.Arbitrary<object> = fc.letrec<{ node: object }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.uniqueArray(names, { minLength: 1, maxLength: 4 }).chain((keys) =>
      fc
        .tuple(
          fc.array(tie('node'), { minLength: keys.length, maxLength: keys.length }),
          fc.subarray(keys),
          fc.boolean(),
        )
        .map(([values, required, closed]) => ({
          type: 'object',
          properties: Object.fromEntries(keys.map((k, i) => [k, values[i]])),
          required,
          ...(closed ? { additionalProperties: false } : {}),
        })),
    ),
    fc
      .tuple(tie('node'), fc.integer({ min: 0, max: 2 }), fc.option(fc.integer({ min: 0, max: 2 })))
      .map(([items, minItems, extra]) => ({
        type: 'array',
        items,
        minItems,
        ...(extra === null ? {} : { maxItems: minItems + extra }),
      })),
    fc.array(tie('node'), { minLength: 2, maxLength: 3 }).map((anyOf) => ({ anyOf })),
  ),
})).node;

async function runSchema(s: object, seed: number, doSample: boolean): Promise<void> {
  const sampling = doSample ? { topK: 64, topP: 0.95 } : {};
  const grammar = compileJsonSchemaGrammar(s, vocabulary);
  const shortest = grammar.dfa.distance(grammar.dfa.start);
  const maxNewTokens = shortest + 16;
  const constraint = grammar.constraint();
  const result = await generate(new RotatingModel(VOCAB, seed), {
    inputIds: [[2, 1000 + (seed % 5000)]],
    maxNewTokens,
    eosTokenId: EOS,
    doSample,
    ...sampling,
    seed,
    constraints: [constraint],
  });
  const tokens = result.newTokens[0] as number[];
  const ended = EOS.includes(tokens[tokens.length - 1] as number);
  const text = tokenizer.decode(ended ? tokens.slice(0, -1) : tokens);
  // Always complete: the budget rule closes the document in time. It ends with an end token
  // ('stop'), or its last allowed token completed it ('length', with a complete document).
  expect(result.finishReasons[0], text).toBe(ended ? 'stop' : 'length');
  expect(grammarComplete(constraint), text).toBe(true);
  const value = JSON.parse(text);
  const valid = ajv.validate(s, value);
  expect(valid, `${JSON.stringify(s)}\n${text}\n${ajv.errorsText()}`).toBe(true);
}

function grammarComplete(constraint: GrammarConstraint): boolean {
  return constraint.hasEnded || constraint.isComplete;
}

describe('constrained generation over random JSON Schemas (real Gemma 3 vocabulary, fake model)', () => {
  test('greedy: every output is a complete document that validates (ajv)', async () => {
    await fc.assert(
      fc.asyncProperty(schema, fc.integer({ min: 1, max: 2 ** 31 - 1 }), (s, seed) =>
        runSchema(s, seed, false),
      ),
      { numRuns: 150, seed: 15 },
    );
  }, 240_000);

  test('sampling (Gemma defaults: top-k 64, top-p 0.95): every output validates', async () => {
    await fc.assert(
      fc.asyncProperty(schema, fc.integer({ min: 1, max: 2 ** 31 - 1 }), (s, seed) =>
        runSchema(s, seed, true),
      ),
      { numRuns: 50, seed: 16 },
    );
  }, 240_000);

  test('maxNewTokens too small for a complete document: finish reason length, no end token', async () => {
    const s = {
      type: 'object',
      properties: { name: { type: 'string', minLength: 300 } },
      required: ['name'],
    };
    const grammar = compileJsonSchemaGrammar(s, vocabulary);
    const result = await generate(new RotatingModel(VOCAB, 3), {
      inputIds: [[2, 7]],
      maxNewTokens: 5, // at most 5 x 48 bytes (the longest token): cannot hold 300 characters
      eosTokenId: EOS,
      constraints: [grammar.constraint()],
    });
    expect(result.finishReasons).toEqual(['length']);
    const tokens = result.newTokens[0] as number[];
    expect(tokens).toHaveLength(5);
    expect(tokens.some((t) => EOS.includes(t))).toBe(false);
    expect(() => JSON.parse(tokenizer.decode(tokens))).toThrow();
    expect(grammar.dfa.distance(grammar.dfa.start)).toBeGreaterThan(5 * 48);
  });
});
