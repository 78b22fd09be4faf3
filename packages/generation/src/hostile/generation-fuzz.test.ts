import { Gemma3Error } from '@gemma3/errors';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { type GenerateOptions, generate } from '../generate.js';
import { FakeModel } from '../test-utils/fake-model.js';

const V = 12;
const CONTEXT = 24;
const model = new FakeModel({
  vocabSize: V,
  maxContextLength: CONTEXT,
  next: (seq) =>
    Float32Array.from({ length: V }, (_, i) => Math.sin((seq.length + 1) * (i + 1) + (seq[0] ?? 0))),
});

/** Anything a JSON request might carry in a numeric field. */
const anyValue = fc.oneof(
  fc.constant(undefined),
  fc.integer({ min: -3, max: 30 }),
  fc.double({ min: -2, max: 3 }),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, 0, 1, 1e308, -0),
  fc.string({ maxLength: 3 }),
  fc.constant(null),
  fc.array(fc.integer({ min: -1, max: 14 }), { maxLength: 3 }),
);
const row = fc.array(fc.integer({ min: -1, max: V + 1 }), { minLength: 0, maxLength: 6 });

const request = fc.record(
  {
    inputIds: fc.array(row, { minLength: 0, maxLength: 3 }),
    attentionMask: fc.array(fc.array(fc.integer({ min: 0, max: 2 }), { maxLength: 6 }), { maxLength: 3 }),
    maxNewTokens: anyValue,
    minNewTokens: anyValue,
    doSample: fc.oneof(fc.boolean(), anyValue),
    temperature: anyValue,
    topK: anyValue,
    topP: anyValue,
    minP: anyValue,
    repetitionPenalty: anyValue,
    seed: anyValue,
    eosTokenId: anyValue,
    padTokenId: anyValue,
    cache: fc.oneof(fc.constantFrom('dynamic', 'static', 'paged'), anyValue),
  },
  { requiredKeys: ['inputIds'] },
);

/** Requests within the rules, so that the loop itself gets exercised. */
const validRequest = fc.record({
  inputIds: fc.array(fc.array(fc.integer({ min: 0, max: V - 1 }), { minLength: 1, maxLength: 6 }), {
    minLength: 1,
    maxLength: 3,
  }),
  maxNewTokens: fc.integer({ min: 1, max: 12 }),
  minNewTokens: fc.integer({ min: 0, max: 4 }),
  doSample: fc.boolean(),
  temperature: fc.double({ min: 0, max: 3, noNaN: true }),
  topK: fc.integer({ min: 0, max: 20 }),
  topP: fc.double({ min: 0.01, max: 1, noNaN: true }),
  minP: fc.double({ min: 0, max: 1, noNaN: true }),
  repetitionPenalty: fc.double({ min: 0.1, max: 3, noNaN: true }),
  seed: fc.nat(),
  eosTokenId: fc.array(fc.integer({ min: 0, max: V - 1 }), { maxLength: 2 }),
  padTokenId: fc.integer({ min: 0, max: V - 1 }),
});

describe('generate() on random requests', () => {
  test('every request ends in a well-formed result or a Gemma3Error, never a crash', async () => {
    let results = 0;
    await fc.assert(
      fc.asyncProperty(fc.oneof(request, validRequest), async (options) => {
        try {
          const result = await generate(model, options as unknown as GenerateOptions);
          results++;
          const lengths = new Set(result.sequences.map((s) => s.length));
          expect(lengths.size).toBe(1);
          expect([...lengths][0]).toBeLessThanOrEqual(CONTEXT);
          for (const reason of result.finishReasons) expect(['stop', 'length']).toContain(reason);
          for (const s of result.sequences)
            for (const id of s) expect(Number.isInteger(id) && id >= 0 && id < V).toBe(true);
        } catch (error) {
          if (!Gemma3Error.isInstance(error)) throw error;
        }
      }),
      { numRuns: 400, seed: 20261128 },
    );
    expect(results).toBeGreaterThan(0); // some random requests are valid and run to the end
  });
});
