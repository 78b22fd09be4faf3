import { parseGenerationConfig } from '@gemma3/config';
import { describe, expect, test } from 'vitest';
import { generate } from './generate.js';
import { byteDecoder } from './test-utils/byte-decoder.js';
import { FakeModel, peaked } from './test-utils/fake-model.js';
import type { TokenEvent } from './token-streamer.js';

const V = 120;
/** A bigram model: the next token is `table[last]` (default 7), with a clear margin. */
const bigram = (table: Record<number, number>, vocabSize = V) =>
  new FakeModel({ vocabSize, next: (seq) => peaked(vocabSize, table[seq[seq.length - 1] as number] ?? 7) });

describe('generate: greedy', () => {
  test('takes the argmax each step and returns prompt + new ids', async () => {
    const model = new FakeModel({
      vocabSize: 16,
      next: (seq) => peaked(16, ((seq[seq.length - 1] as number) + 3) % 16),
    });
    const result = await generate(model, { inputIds: [[2, 4]], maxNewTokens: 5 });
    expect(result.sequences).toEqual([[2, 4, 7, 10, 13, 0, 3]]);
    expect(result.newTokens).toEqual([[7, 10, 13, 0, 3]]);
    expect(result.finishReasons).toEqual(['length']);
    expect(result.usage).toEqual({ promptTokens: 2, completionTokens: 5, totalTokens: 7 });
    expect(model.sessions[0]?.decodes.length).toBe(4); // the last token needs no forward pass
    expect(model.sessions[0]?.disposed).toBe(true);
  });

  test('temperature 0 means greedy even with doSample', async () => {
    const model = new FakeModel({ vocabSize: 4, next: () => new Float32Array([0, 1, 1.1, 0.9]) });
    const result = await generate(model, {
      inputIds: [[0]],
      maxNewTokens: 8,
      doSample: true,
      temperature: 0,
      seed: 1,
    });
    expect(result.newTokens[0]).toEqual(new Array(8).fill(2));
  });

  test('repetition penalty steers greedy away from a prompt token', async () => {
    const model = new FakeModel({ vocabSize: 4, next: () => new Float32Array([0, 2, 1.9, 0]) });
    const plain = await generate(model, { inputIds: [[1]], maxNewTokens: 1 });
    const penalised = await generate(model, { inputIds: [[1]], maxNewTokens: 1, repetitionPenalty: 1.2 });
    expect(plain.newTokens[0]).toEqual([1]);
    expect(penalised.newTokens[0]).toEqual([2]); // 2 / 1.2 = 1.67 < 1.9
  });
});

describe('generate: stopping', () => {
  test('stops on any eos id of a list such as [1, 106], keeping it', async () => {
    const model = bigram({ 10: 50, 50: 106, 20: 1 });
    const a = await generate(model, { inputIds: [[2, 10]], maxNewTokens: 10, eosTokenId: [1, 106] });
    expect(a.sequences).toEqual([[2, 10, 50, 106]]);
    expect(a.finishReasons).toEqual(['stop']);
    const b = await generate(model, { inputIds: [[2, 20]], maxNewTokens: 10, eosTokenId: [1, 106] });
    expect(b.sequences).toEqual([[2, 20, 1]]);
  });

  test('minNewTokens suppresses eos until reached', async () => {
    const model = new FakeModel({ vocabSize: V, next: () => peaked(V, 106) });
    const result = await generate(model, {
      inputIds: [[2]],
      maxNewTokens: 5,
      minNewTokens: 2,
      eosTokenId: [1, 106],
    });
    expect(result.newTokens[0]).toEqual([0, 0, 106]); // 106 suppressed: argmax of the zeros is id 0
  });

  test('batch: ragged prompts are left-padded, early rows get pad, positions and masks grow', async () => {
    const model = bigram({ 10: 50, 50: 106, 21: 30, 30: 31, 31: 32, 32: 1 });
    const result = await generate(model, {
      inputIds: [
        [2, 10],
        [2, 20, 21],
      ],
      maxNewTokens: 6,
      eosTokenId: [1, 106],
      padTokenId: 0,
      cache: 'static',
    });
    expect(result.sequences).toEqual([
      [0, 2, 10, 50, 106, 0, 0],
      [2, 20, 21, 30, 31, 32, 1],
    ]);
    expect(result.finishReasons).toEqual(['stop', 'stop']);
    expect(result.usage).toEqual({ promptTokens: 5, completionTokens: 6, totalTokens: 11 });
    const session = model.sessions[0];
    expect(session?.options).toMatchObject({ batchSize: 2, maxLength: 9, cache: 'static' });
    expect(session?.prefill?.attentionMask).toEqual([
      [0, 1, 1],
      [1, 1, 1],
    ]);
    expect(session?.prefill?.positionIds).toEqual([
      [1, 0, 1],
      [0, 1, 2],
    ]);
    expect(session?.decodes.map((d) => d.tokenIds)).toEqual([
      [50, 30],
      [106, 31],
      [0, 32],
    ]);
    expect(session?.decodes.map((d) => d.positionIds)).toEqual([
      [2, 3],
      [3, 4],
      [4, 5],
    ]);
    expect(session?.decodes[2]?.attentionMask).toEqual([
      [0, 1, 1, 1, 1, 1],
      [1, 1, 1, 1, 1, 1],
    ]);
  });

  test('all rows stopping together ends without padding', async () => {
    const model = bigram({ 5: 106 });
    const result = await generate(model, { inputIds: [[5], [5]], maxNewTokens: 4, eosTokenId: 106 });
    expect(result.sequences).toEqual([
      [5, 106],
      [5, 106],
    ]);
  });

  test('stop strings: the row stops at the token completing the string, which is kept', async () => {
    const pieces = { 0: '<pad>', 1: 'Hel', 2: 'lo', 3: ' wor', 4: 'ld', 5: '!', 6: 'o w' };
    const decode = byteDecoder(pieces);
    const model = bigram({ 1: 2, 2: 3, 3: 4, 4: 5, 6: 1 }, 8);
    const result = await generate(model, {
      inputIds: [[1], [6]],
      maxNewTokens: 6,
      stopStrings: ['o w', 'xyz'],
      decode,
      padTokenId: 0,
    });
    // Row 0: Hel|lo| wor: "o w" spans two tokens and completes at " wor".
    // Row 1: its prompt "o w" does not count; it generates Hel lo " wor" and stops there too.
    expect(result.newTokens).toEqual([
      [2, 3],
      [1, 2, 3],
    ]);
    expect(result.sequences).toEqual([
      [1, 2, 3, 0],
      [6, 1, 2, 3],
    ]);
    expect(result.stopStrings).toEqual(['o w', 'o w']);
    expect(result.finishReasons).toEqual(['stop', 'stop']);
  });

  test('the token streamer sees each step, null for finished rows, then the end', async () => {
    const model = bigram({ 10: 106, 20: 21, 21: 22 });
    const events: TokenEvent[] = [];
    let ended = 0;
    await generate(model, {
      inputIds: [[10], [20]],
      maxNewTokens: 3,
      eosTokenId: 106,
      streamer: {
        onTokens: (event) => {
          events.push(structuredClone(event));
        },
        onEnd: () => {
          ended++;
        },
      },
    });
    expect(events).toEqual([
      { step: 1, tokens: [106, 21] },
      { step: 2, tokens: [null, 22] },
      { step: 3, tokens: [null, 7] },
    ]);
    expect(ended).toBe(1);
  });
});

describe('generate: sampling', () => {
  const spread = new FakeModel({
    vocabSize: 4,
    next: () => new Float32Array([0.1, 0.2, 0.3, 0.4].map(Math.log)),
  });

  test('same seed, same tokens; another seed, other tokens; the seed is returned', async () => {
    const run = (seed?: number) =>
      generate(spread, {
        inputIds: [[0], [1]],
        maxNewTokens: 30,
        doSample: true,
        topK: 0,
        ...(seed === undefined ? {} : { seed }),
      });
    const a = await run(2026);
    expect((await run(2026)).sequences).toEqual(a.sequences);
    expect((await run(2027)).sequences).not.toEqual(a.sequences);
    expect(a.seed).toBe(2026);
    const unseeded = await run();
    expect((await run(unseeded.seed)).sequences).toEqual(unseeded.sequences);
  });

  test('top-k 1 makes sampling greedy', async () => {
    const result = await generate(spread, {
      inputIds: [[0]],
      maxNewTokens: 10,
      doSample: true,
      topK: 1,
      seed: 5,
    });
    expect(result.newTokens[0]).toEqual(new Array(10).fill(3));
  });
});

describe('generate: generation config', () => {
  test("accepts @gemma3/config's parsed generation_config.json (Gemma 3 defaults)", async () => {
    const config = parseGenerationConfig(
      {
        cache_implementation: 'hybrid',
        do_sample: true,
        eos_token_id: [1, 106],
        pad_token_id: 0,
        top_k: 64,
        top_p: 0.95,
      },
      'generation_config.json',
    );
    const model = bigram({ 10: 50, 50: 106 });
    const result = await generate(model, {
      inputIds: [[10], [9, 9, 9]],
      generationConfig: config,
      seed: 1,
      maxNewTokens: 3,
    });
    expect(result.sequences[0]).toEqual([0, 0, 10, 50, 106, 0]); // pad_token_id 0 left and after the stop on 106
    expect(result.finishReasons).toEqual(['stop', 'length']);
  });

  test('explicit options win over the config', async () => {
    const model = bigram({ 10: 50, 50: 106 });
    const result = await generate(model, {
      inputIds: [[10]],
      generationConfig: { eos_token_id: [106], max_new_tokens: 5 },
      eosTokenId: 50,
    });
    expect(result.sequences).toEqual([[10, 50]]);
    const fromConfig = await generate(model, { inputIds: [[3]], generationConfig: { max_new_tokens: 4 } });
    expect(fromConfig.newTokens[0]).toHaveLength(4);
  });
});
