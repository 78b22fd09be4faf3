import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { applyMinP } from './min-p.js';
import { processLogits } from './process-logits.js';
import { applyRepetitionPenalty } from './repetition-penalty.js';
import { applyTemperature } from './temperature.js';
import { applyTopK } from './top-k.js';
import { applyTopP } from './top-p.js';

/**
 * Parity with transformers' logits processors on committed outputs
 * (tools/reference/generation/make_fixtures.py). Tolerance: 1e-6 relative on surviving scores (both
 * sides do one float32 multiply/divide per score, correctly rounded, so they agree to the last bit in
 * practice; the margin covers the float32 text round trip); removed (-inf) positions must be identical.
 */
type Value = number | '-inf';
interface Case {
  name: string;
  params: Record<string, number | boolean>;
  inputIds: number[][];
  scores: Value[][];
  expected: Value[][];
}
const fixture = JSON.parse(
  readFileSync(new URL('../../fixtures/logits-processors.json', import.meta.url), 'utf8'),
) as {
  cases: Case[];
};
const toNumber = (v: Value) => (v === '-inf' ? Number.NEGATIVE_INFINITY : v);

function run(params: Case['params'], scores: Float32Array, inputIds: number[]): void {
  const p = params as Record<string, number>;
  if (params.doSample !== undefined) {
    processLogits(
      scores,
      {
        doSample: params.doSample as boolean,
        repetitionPenalty: p.repetitionPenalty ?? 1,
        temperature: p.temperature ?? 1,
        topK: p.topK ?? 0,
        topP: p.topP ?? 1,
        minP: p.minP ?? 0,
        minNewTokens: 0,
        eosTokenIds: [1],
      },
      new Set(inputIds),
      0,
    );
  } else if (p.repetitionPenalty !== undefined)
    applyRepetitionPenalty(scores, new Set(inputIds), p.repetitionPenalty);
  else if (p.temperature !== undefined) applyTemperature(scores, p.temperature);
  else if (p.topK !== undefined) applyTopK(scores, p.topK);
  else if (p.topP !== undefined) applyTopP(scores, p.topP);
  else if (p.minP !== undefined) applyMinP(scores, p.minP);
  else throw new Error(`fixture case without a known parameter: ${JSON.stringify(params)}`);
}

describe('logits processors match transformers', () => {
  test('the fixture holds every processor and the generate() chain', () => {
    expect(fixture.cases.length).toBeGreaterThanOrEqual(15);
  });

  test.each(fixture.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    c.scores.forEach((row, r) => {
      const scores = new Float32Array(row.map(toNumber));
      run(c.params, scores, c.inputIds[r] as number[]);
      const expected = (c.expected[r] as Value[]).map(toNumber);
      const removedHere = [...scores.keys()].filter((i) => scores[i] === Number.NEGATIVE_INFINITY);
      const removedThere = [...expected.keys()].filter((i) => expected[i] === Number.NEGATIVE_INFINITY);
      expect(removedHere).toEqual(removedThere);
      expected.forEach((want, i) => {
        if (want === Number.NEGATIVE_INFINITY) return;
        const got = scores[i] as number;
        expect(Math.abs(got - want)).toBeLessThanOrEqual(1e-6 * Math.max(Math.abs(want), 1e-30));
      });
    });
  });
});
