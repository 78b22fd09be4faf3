import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { generate } from './generate.js';
import type { CausalLanguageModel } from './generation-model.js';

/**
 * The loop against transformers' greedy generate() (tools/reference/generation/make_generate_fixtures.py):
 * a tiny random Gemma 3 generated for a left-padded batch; its raw logits per step are replayed here
 * by a fake model, so any difference in processors, eos handling or padding changes the sequences.
 * Exact equality: greedy ids are integers and the processors are float32-exact (see the processor parity).
 */
interface Case {
  name: string;
  options: {
    maxNewTokens: number;
    eosTokenId: number[];
    padTokenId: number;
    repetitionPenalty: number;
    minNewTokens: number;
  };
  inputIds: number[][];
  attentionMask: number[][];
  rawLogits: number[][][];
  sequences: number[][];
}
const fixture = JSON.parse(
  readFileSync(new URL('../fixtures/generate-greedy.json', import.meta.url), 'utf8'),
) as {
  vocabSize: number;
  cases: Case[];
};

function replay(rawLogits: number[][][], vocabSize: number): CausalLanguageModel {
  let step = 0;
  const next = async () => Float32Array.from((rawLogits[step++] as number[][]).flat()); // [B, V]
  return {
    vocabSize,
    maxContextLength: 100,
    startSession: async () => ({ prefill: next, decode: next, dispose: () => {} }),
  };
}

describe('generate() matches transformers (greedy, replayed logits)', () => {
  test('the fixture has cases where rows stop at different steps', () => {
    expect(
      fixture.cases.some((c) => c.sequences.some((row) => row[row.length - 1] === c.options.padTokenId)),
    ).toBe(true);
  });

  test.each(fixture.cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const result = await generate(replay(c.rawLogits, fixture.vocabSize), {
      inputIds: c.inputIds,
      attentionMask: c.attentionMask,
      ...c.options,
    });
    expect(result.sequences).toEqual(c.sequences);
  });
});
