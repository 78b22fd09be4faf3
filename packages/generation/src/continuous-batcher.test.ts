import { describe, expect, test } from 'vitest';
import { ContinuousBatcher } from './continuous-batcher.js';
import { generate } from './generate.js';
import { PrefixCache } from './prefix-cache.js';
import { FakeModel } from './test-utils/fake-model.js';
import { FakeSequenceModel } from './test-utils/fake-sequence-model.js';

// The scheduler on a fake model whose logits depend only on the sequence: every request must get
// exactly what generate() gives it alone, whatever joins, leaves, fails or is aborted beside it.

const V = 32;
/** A deterministic next-token distribution: a hash of the whole sequence picks the favourite. */
const next = (sequence: readonly number[]) => {
  let h = 17;
  for (const t of sequence) h = (Math.imul(h, 31) + t) >>> 0;
  const scores = new Float32Array(V);
  for (let i = 0; i < V; i++) scores[i] = ((Math.imul(h ^ i, 2654435761) >>> 0) % 1000) / 100;
  return scores;
};
const prompts = [
  [1, 2, 3],
  [4, 5, 6, 7, 8, 9, 10, 11, 12, 13],
  [14],
  [15, 16, 17, 18, 19],
  [20, 21],
  [22, 23, 24, 25],
];
const alone = async (inputIds: number[], options: object = {}) =>
  (
    await generate(new FakeModel({ vocabSize: V, next }), {
      inputIds: [inputIds],
      maxNewTokens: 9,
      eosTokenId: 0,
      ...options,
    })
  ).newTokens[0]!;

describe('ContinuousBatcher (fake model)', () => {
  test('each request gets what it gets alone: greedy, sampled with its own seed, eos and stop lengths', async () => {
    const model = new FakeSequenceModel({ vocabSize: V, next });
    const batcher = new ContinuousBatcher(model, { maxRows: 3, prefillChunk: 4 });
    const options = prompts.map((_, i) =>
      i % 2
        ? { doSample: true, temperature: 0.8, seed: i, maxNewTokens: 9, eosTokenId: 0 }
        : { maxNewTokens: 3 + i, eosTokenId: 0 },
    );
    const results = await Promise.all(prompts.map((p, i) => batcher.submit({ inputIds: p, ...options[i] })));
    for (const [i, r] of results.entries())
      expect(r.newTokens[0]).toEqual(await alone(prompts[i]!, options[i]));
    expect(Math.max(...model.batchSizes)).toBe(3); // rows were shared, never more than maxRows
    // chunks end at multiples of prefillChunk: the 10-token prompt ran as 4 + 4 + 2
    expect(
      model.prefills.filter((p) => p.to - p.from > 0 && p.from >= 0).some((p) => p.from === 4 && p.to === 8),
    ).toBe(true);
  });

  test('a request submitted right as the loop finishes is served (no lost wake-up)', async () => {
    const batcher = new ContinuousBatcher(new FakeSequenceModel({ vocabSize: V, next }), { maxRows: 2 });
    for (let i = 0; i < 5; i++) {
      const r = await batcher.submit({ inputIds: prompts[i]!, maxNewTokens: 2 });
      expect(r.newTokens[0]).toHaveLength(2);
    }
  });

  test('abort while waiting, while prefilling and while decoding: partial results, others unchanged', async () => {
    const model = new FakeSequenceModel({ vocabSize: V, next });
    const batcher = new ContinuousBatcher(model, { maxRows: 1, prefillChunk: 2 });
    const waitingAbort = new AbortController();
    const decodingAbort = new AbortController();
    let seen = 0;
    const results = await Promise.all([
      batcher.submit({
        inputIds: prompts[1]!,
        maxNewTokens: 9,
        signal: decodingAbort.signal,
        streamer: {
          onTokens: () => {
            seen += 1;
            if (seen === 2) waitingAbort.abort(); // request 1 still waits for the only row
            if (seen === 4) decodingAbort.abort();
          },
        },
      }),
      batcher.submit({ inputIds: prompts[0]!, maxNewTokens: 9, signal: waitingAbort.signal }),
      batcher.submit({ inputIds: prompts[2]!, maxNewTokens: 9, eosTokenId: 0 }),
    ]);
    expect(results[0]!.finishReasons[0]).toBe('abort');
    expect(results[1]!.finishReasons[0]).toBe('abort');
    expect(results[1]!.newTokens[0]).toEqual([]);
    expect(results[0]!.newTokens[0]).toEqual((await alone(prompts[1]!, { eosTokenId: [] })).slice(0, 4));
    expect(results[2]!.newTokens[0]).toEqual(await alone(prompts[2]!));
  });

  test('a failing decode step fails the running requests only; the next ones are served', async () => {
    let fail = true;
    const model = new FakeSequenceModel({
      vocabSize: V,
      next,
      beforeDecode: () => {
        if (fail) {
          fail = false;
          throw new Error('device lost');
        }
      },
    });
    const batcher = new ContinuousBatcher(model, { maxRows: 2 });
    const failed = await Promise.allSettled([
      batcher.submit({ inputIds: prompts[0]!, maxNewTokens: 4 }),
      batcher.submit({ inputIds: prompts[3]!, maxNewTokens: 4 }),
    ]);
    expect(failed.map((f) => f.status)).toEqual(['rejected', 'rejected']);
    const ok = await batcher.submit({ inputIds: prompts[0]!, maxNewTokens: 4 });
    expect(ok.newTokens[0]).toEqual(await alone(prompts[0]!, { maxNewTokens: 4, eosTokenId: [] }));
  });

  test('prefix reuse: the longest cached prefix is forked; beyond the slack nothing is reused', async () => {
    const model = new FakeSequenceModel({ vocabSize: V, next, slack: 2 });
    const cache = new PrefixCache({ maxBytes: 1e6 });
    const batcher = new ContinuousBatcher(model, { maxRows: 2, prefixCache: cache });
    const first = await batcher.submit({ inputIds: prompts[1]!, maxNewTokens: 5 });
    const extended = [...prompts[1]!, ...first.newTokens[0]!, 30, 31];
    const second = await batcher.submit({ inputIds: extended, maxNewTokens: 5 });
    expect(second.usage.cachedTokens).toBe(prompts[1]!.length + 4);
    expect(second.newTokens[0]).toEqual(await alone(extended, { maxNewTokens: 5, eosTokenId: [] }));
    const diverging = [...prompts[1]!.slice(0, 5), 30];
    const third = await batcher.submit({ inputIds: diverging, maxNewTokens: 5 });
    expect(third.usage.cachedTokens).toBe(0); // 5 would need cutting far more than 2 back
    expect(cache.stats()).toMatchObject({ hits: 1, misses: 2 });
  });

  test('the prefix cache evicts least recently used entries to stay under its bound', () => {
    const cache = new PrefixCache({ maxBytes: 1000 });
    const seq = () => new FakeSequenceModel({ vocabSize: V, next }).newSequence().fork(0);
    const a = seq();
    a.tokens.push(1, 2, 3, 4);
    const b = seq();
    b.tokens.push(5, 6, 7, 8);
    const c = seq();
    c.tokens.push(9, 10, 11);
    cache.store([1, 2, 3, 4], a);
    cache.store([5, 6, 7, 8], b);
    expect(cache.lookup([1, 2, 3, 4, 0], 4, (n) => n)?.length).toBe(4); // a is now the most recent
    cache.store([9, 10, 11], c); // 1100 bytes: b goes
    expect(cache.stats()).toMatchObject({ entries: 2, bytes: 700, evictions: 1 });
    expect(cache.lookup([5, 6, 7, 8, 0], 4, (n) => n)).toBeUndefined();
    // an entry the new one extends is replaced, not kept twice
    const longer = seq();
    longer.tokens.push(1, 2, 3, 4, 12);
    cache.store([1, 2, 3, 4, 12], longer);
    expect(cache.stats().entries).toBe(2);
  });
});
