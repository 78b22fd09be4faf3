import { describe, expect, test } from 'vitest';
import { applyMinP } from './min-p.js';
import { processLogits } from './process-logits.js';
import { applyRepetitionPenalty } from './repetition-penalty.js';
import { suppressTokens } from './suppress-tokens.js';
import { applyTemperature } from './temperature.js';
import { applyTopK } from './top-k.js';
import { applyTopP } from './top-p.js';

const NEG = Number.NEGATIVE_INFINITY;
const kept = (scores: Float32Array) => [...scores.keys()].filter((i) => (scores[i] as number) > NEG);
/** Logits whose softmax is [0.5, 0.3, 0.15, 0.05]. */
const fromProbs = () => new Float32Array([0.5, 0.3, 0.15, 0.05].map(Math.log));

describe('repetition penalty', () => {
  test('divides positive scores, multiplies negative ones, of seen ids only, once per id', () => {
    const scores = new Float32Array([2, -2, 1, 0.5, -1, 0]);
    applyRepetitionPenalty(scores, new Set([0, 1, 3, 5]), 2);
    expect([...scores]).toEqual([1, -4, 1, 0.25, -1, 0]);
  });

  test('a penalty below 1 raises seen tokens; 1 is a no-op', () => {
    const scores = new Float32Array([2, -2]);
    applyRepetitionPenalty(scores, [0, 1], 0.5);
    expect([...scores]).toEqual([4, -1]);
    applyRepetitionPenalty(scores, [0, 1], 1);
    expect([...scores]).toEqual([4, -1]);
  });
});

describe('temperature', () => {
  test('divides every score', () => {
    const scores = new Float32Array([1, -2, 3]);
    applyTemperature(scores, 0.5);
    expect([...scores]).toEqual([2, -4, 6]);
  });
});

describe('top-k', () => {
  test('keeps the k best, ties with the k-th included', () => {
    const scores = new Float32Array([1, 5, 3, 5, 2]);
    applyTopK(scores, 2);
    expect(kept(scores)).toEqual([1, 3]);
    const three = new Float32Array([1, 5, 3, 5, 2]);
    applyTopK(three, 3);
    expect(kept(three)).toEqual([1, 2, 3]);
    expect(three[2]).toBe(3); // survivors untouched
  });

  test('0 disables and k >= V keeps all', () => {
    for (const k of [0, 5, 100]) {
      const scores = new Float32Array([1, 5, 3, 5, 2]);
      applyTopK(scores, k);
      expect(kept(scores)).toEqual([0, 1, 2, 3, 4]);
    }
  });
});

describe('top-p', () => {
  test.each([
    [0.7, [0, 1]], // ascending cumulative 0.05, 0.2, 0.5, 1: removes cum <= 0.3
    [0.9, [0, 1, 2]], // removes cum <= 0.1
    [0.1, [0]], // only the top token
    [1, [0, 1, 2, 3]], // disabled
  ])('top_p=%f keeps %j', (topP, expected) => {
    const scores = fromProbs();
    applyTopP(scores, topP);
    expect(kept(scores)).toEqual(expected);
  });

  test('ignores tokens already removed', () => {
    const scores = fromProbs();
    scores[0] = NEG; // remaining mass renormalises to 0.6, 0.3, 0.1
    applyTopP(scores, 0.55);
    expect(kept(scores)).toEqual([1]);
  });
});

describe('min-p', () => {
  test.each([
    [0.2, [0, 1, 2]], // threshold 0.1
    [0.5, [0, 1]], // threshold 0.25
    [1, [0]],
    [0, [0, 1, 2, 3]],
  ])('min_p=%f keeps %j', (minP, expected) => {
    const scores = fromProbs();
    applyMinP(scores, minP);
    expect(kept(scores)).toEqual(expected);
  });
});

describe('processLogits', () => {
  const settings = {
    doSample: true,
    repetitionPenalty: 2,
    temperature: 0.5,
    topK: 3,
    topP: 1,
    minP: 0,
    minNewTokens: 2,
    eosTokenIds: [4],
  };

  test('order: penalty, eos suppression, temperature, top-k', () => {
    const scores = new Float32Array([4, 3, 2, 1, 5]);
    processLogits(scores, settings, [0], 1);
    // penalty: id0 4 -> 2; eos id4 -> -inf; / 0.5 -> [4, 6, 4, 2, -inf]; top-3 keeps ties at 4
    expect([...scores]).toEqual([4, 6, 4, NEG, NEG]);
  });

  test('eos is allowed once minNewTokens were generated; greedy skips the warpers', () => {
    const scores = new Float32Array([4, 3, 2, 1, 5]);
    processLogits(scores, { ...settings, doSample: false }, [], 2);
    expect([...scores]).toEqual([4, 3, 2, 1, 5]);
  });

  test('suppressTokens ignores ids outside the row', () => {
    const scores = new Float32Array([1, 2]);
    suppressTokens(scores, [1, 7]);
    expect([...scores]).toEqual([1, NEG]);
  });
});

describe('top-p over a full vocabulary (histogram path)', () => {
  /** The definition, by a full sort: keep token i iff the mass of tokens sorted before it (ascending) plus its own > 1 - topP. */
  function referenceTopP(scores: Float32Array, topP: number): number[] {
    const order = [...scores.keys()].sort((a, b) => (scores[a] as number) - (scores[b] as number));
    const max = scores[order[order.length - 1] as number] as number;
    const total = order.reduce((sum, i) => sum + Math.exp((scores[i] as number) - max), 0);
    let cumulative = 0;
    const removed = new Set<number>();
    order.slice(0, -1).forEach((i) => {
      cumulative += Math.exp((scores[i] as number) - max) / total;
      if (cumulative <= 1 - topP) removed.add(i);
    });
    return [...scores.keys()].filter((i) => !removed.has(i));
  }

  test.each([0.5, 0.9, 0.95, 0.999])('top_p=%f on 20000 scores matches a full sort', (topP) => {
    let x = 12345;
    const scores = new Float32Array(20000).map(() => {
      x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
      return (x / 2 ** 32) * 12 - 6; // distinct values: no ties to argue about
    });
    const expected = referenceTopP(scores, topP);
    applyTopP(scores, topP);
    expect(kept(scores)).toEqual(expected);
  });
});
