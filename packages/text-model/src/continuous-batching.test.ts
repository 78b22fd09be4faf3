import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ContinuousBatcher, PrefixCache, type SequenceRequest } from '@gemma3/generation';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Gemma3ForCausalLM } from './gemma3-for-causal-lm.js';
import type { DecoderSequence } from './runtime/decoder-sequences.js';
import { maxAbs, REPO_ROOT } from './test-utils/golden.js';

// Exactness of continuous batching and prefix reuse against the plain path (generate(), one prompt,
// one prefill), on tiny-text: fp32, sliding window 8 (so prompts cross it), vocab 512.
// Tolerance for logits: 1e-4, as the parity tests (a chunked or reused prefill sums in another order).

const TINY = join(REPO_ROOT, 'fixtures/checkpoints/tiny-text');
const work = await mkdtemp(join(tmpdir(), 'gemma3-batching-'));
afterAll(() => rm(work, { recursive: true, force: true }));

/** Prompts of mixed lengths, shorter and longer than the window. */
const PROMPTS = [
  [2, 17, 301],
  [2, 44, 9, 250, 7, 88, 123, 400, 5, 61, 77, 19, 333, 8, 91, 45, 12, 13, 14, 15],
  [2, 5, 6, 7, 5, 6, 7, 5],
  [2, 400, 401, 402, 403, 404, 405, 406, 407, 408, 409, 410],
  [2, 9],
  Array.from({ length: 37 }, (_, i) => 2 + ((i * 37) % 500)),
  [2, 100, 200, 300, 400, 500, 11],
  [2, 33, 66, 99, 132, 165, 198, 231, 264, 297, 330, 363, 396, 429, 462, 495, 28],
];

const GREEDY = { doSample: false, maxNewTokens: 14, eosTokenId: [] as number[] };

describe('continuous batching and prefix reuse on tiny-text', () => {
  let model: Gemma3ForCausalLM;
  beforeAll(async () => {
    model = await Gemma3ForCausalLM.fromPretrained(TINY, { cacheDir: join(work, 'cache'), progress: false });
  });
  afterAll(() => model.dispose());

  const alone = async (inputIds: number[], options: Record<string, unknown> = GREEDY) =>
    (await model.generate({ inputIds: [inputIds], ...options })).newTokens[0]!;

  test('8 mixed requests in one batch: each gives what it gives alone (greedy and sampled)', async () => {
    const expected = await Promise.all(PROMPTS.map((p) => alone(p)));
    const sampled = { doSample: true, temperature: 0.9, topK: 20, seed: 7, maxNewTokens: 14, eosTokenId: [] };
    const sampledAlone = await alone(PROMPTS[3]!, sampled);

    const batcher = new ContinuousBatcher(model, {
      maxRows: 8,
      prefillChunk: 16,
      generationConfig: model.generationConfig,
    });
    const requests: SequenceRequest[] = PROMPTS.map((inputIds, i) => ({
      inputIds,
      ...(i === 3 ? sampled : GREEDY),
    }));
    const results = await Promise.all(requests.map((r) => batcher.submit(r)));
    results.forEach((r, i) => {
      expect(r.newTokens[0], `request ${i}`).toEqual(i === 3 ? sampledAlone : expected[i]);
      expect(r.finishReasons[0]).toBe('length');
    });
    expect(batcher.stats().decodeRows / batcher.stats().decodeSteps).toBeGreaterThan(4); // really batched
    await batcher.close();
  });

  test('a request aborted half-way leaves with its tokens so far; the others are unchanged', async () => {
    const expected = await Promise.all(PROMPTS.slice(0, 4).map((p) => alone(p)));
    const batcher = new ContinuousBatcher(model, { maxRows: 4 });
    const abort = new AbortController();
    let seen = 0;
    const results = await Promise.all(
      PROMPTS.slice(0, 4).map((inputIds, i) =>
        batcher.submit({
          inputIds,
          ...GREEDY,
          ...(i === 1
            ? {
                signal: abort.signal,
                streamer: {
                  onTokens: () => {
                    seen += 1;
                    if (seen === 6) abort.abort();
                  },
                },
              }
            : {}),
        }),
      ),
    );
    expect(results[1]!.finishReasons[0]).toBe('abort');
    expect(results[1]!.newTokens[0]).toEqual(expected[1]!.slice(0, 6));
    for (const i of [0, 2, 3]) expect(results[i]!.newTokens[0]).toEqual(expected[i]);
    await batcher.close();
  });

  test('requests that arrive while others decode join at a step boundary', async () => {
    const expected = await Promise.all(PROMPTS.map((p) => alone(p)));
    const batcher = new ContinuousBatcher(model, { maxRows: 3, prefillChunk: 4 });
    const pending = PROMPTS.slice(0, 2).map((inputIds) => batcher.submit({ inputIds, ...GREEDY }));
    await new Promise((r) => setTimeout(r, 5));
    pending.push(...PROMPTS.slice(2).map((inputIds) => batcher.submit({ inputIds, ...GREEDY })));
    const results = await Promise.all(pending);
    results.forEach((r, i) => {
      expect(r.newTokens[0], `request ${i}`).toEqual(expected[i]);
    });
    await batcher.close();
  });

  test('a second turn reuses the first turn and equals a fresh run (ids, and logits within 1e-4)', async () => {
    const cache = new PrefixCache({ maxBytes: 64 << 20 });
    const batcher = new ContinuousBatcher(model, { maxRows: 2, prefixCache: cache });
    const turn1 = PROMPTS[1]!;
    const first = await batcher.submit({ inputIds: turn1, ...GREEDY });
    expect(first.usage.cachedTokens).toBe(0);
    const turn2 = [...turn1, ...first.newTokens[0]!, 106, 107, 30, 31, 32];
    const second = await batcher.submit({ inputIds: turn2, ...GREEDY });
    // everything the first run fed: its prompt and all new tokens but the last (never run)
    expect(second.usage.cachedTokens).toBe(turn1.length + GREEDY.maxNewTokens - 1);
    expect(second.newTokens[0]).toEqual(await alone(turn2));
    expect(cache.stats()).toMatchObject({ hits: 1, misses: 1 });
    await batcher.close();

    // logits of the reused path: fork the cached state, prefill the rest, compare with a fresh forward
    const match = cache.lookup(turn2, turn2.length - 1, (n) => n)!;
    const reused = await model.prefill(match.state, { inputIds: turn2, extra: undefined, maxTokens: 1000 });
    const fresh = await model.forward({ inputIds: [turn2], logits: 'last' });
    expect(maxAbs(reused.logits!, fresh.logits.data as Float32Array)).toBeLessThan(1e-4);
  });

  test('sliding window: a cut within the ring slack reuses; further back it prefills from scratch, same answer', async () => {
    const previous = model.reuseSlack;
    model.reuseSlack = 2; // ring of 7 + 2 slots on tiny-text's window of 8
    try {
      const cache = new PrefixCache({ maxBytes: 64 << 20 });
      const batcher = new ContinuousBatcher(model, { maxRows: 2, prefixCache: cache });
      const base = PROMPTS[5]!; // 37 tokens: the ring wrapped
      const first = await batcher.submit({ inputIds: base, ...GREEDY, maxNewTokens: 4 });
      const held = base.length + 3; // prompt + 3 of the 4 new tokens were run
      // diverges 2 positions before the end of what is held: within the slack, reused
      const near = [...base, ...first.newTokens[0]!.slice(0, 1), 499, 498, 497];
      const nearResult = await batcher.submit({ inputIds: near, ...GREEDY });
      expect(nearResult.usage.cachedTokens).toBe(held - 2);
      expect(nearResult.newTokens[0]).toEqual(await alone(near));
      // diverges 10 positions before the end of the base prompt: the ring lost keys that cut needs
      const far = [...base.slice(0, base.length - 10), 1, 2, 3];
      const farResult = await batcher.submit({ inputIds: far, ...GREEDY });
      expect(farResult.usage.cachedTokens).toBe(0);
      expect(farResult.newTokens[0]).toEqual(await alone(far));
      // a short conversation never wraps the ring: any cut reuses
      const short = [2, 17, 301, 5];
      const shortFirst = await batcher.submit({ inputIds: short, ...GREEDY, maxNewTokens: 2 });
      const shortNext = [2, 17, 301, 9, 9];
      const shortResult = await batcher.submit({ inputIds: shortNext, ...GREEDY });
      expect(shortFirst.newTokens[0]).toHaveLength(2);
      expect(shortResult.usage.cachedTokens).toBe(3);
      expect(shortResult.newTokens[0]).toEqual(await alone(shortNext));
      await batcher.close();
    } finally {
      model.reuseSlack = previous;
    }
  });

  test('the prefix cache stays within its byte bound, evicting least recently used states', async () => {
    const one = (model.newSequence() as DecoderSequence).bytes; // empty: no positions yet
    expect(one).toBeGreaterThanOrEqual(0);
    const batcher = new ContinuousBatcher(model, {
      maxRows: 1,
      prefixCache: new PrefixCache({ maxBytes: 0 }),
    });
    const small = new PrefixCache({ maxBytes: 200_000 });
    const b2 = new ContinuousBatcher(model, { maxRows: 2, prefixCache: small });
    for (const p of PROMPTS) await b2.submit({ inputIds: p, ...GREEDY, maxNewTokens: 3 });
    const stats = small.stats();
    expect(stats.bytes).toBeLessThanOrEqual(200_000);
    expect(stats.evictions).toBeGreaterThan(0);
    // eviction changes speed only: the answer after evictions equals a fresh run
    const again = await b2.submit({ inputIds: PROMPTS[0]!, ...GREEDY });
    expect(again.newTokens[0]).toEqual(await alone(PROMPTS[0]!));
    await batcher.submit({ inputIds: PROMPTS[0]!, ...GREEDY, maxNewTokens: 2 });
    await batcher.close();
    await b2.close();
  });

  test('bad requests are refused with the generation errors, and do not disturb the batch', async () => {
    const batcher = new ContinuousBatcher(model, { maxRows: 2 });
    await expect(batcher.submit({ inputIds: [] })).rejects.toMatchObject({
      code: 'generation/invalid-prompt',
    });
    await expect(
      batcher.submit({ inputIds: [2, 3], maxNewTokens: model.maxContextLength }),
    ).rejects.toMatchObject({ code: 'generation/context-length-exceeded' });
    await expect(batcher.submit({ inputIds: [2, 3], stopStrings: ['x'] })).rejects.toMatchObject({
      code: 'generation/invalid-option',
    });
    await expect(batcher.submit({ inputIds: [2, 9999], ...GREEDY })).rejects.toMatchObject({
      code: 'text-model/invalid-input',
    });
    const ok = await batcher.submit({ inputIds: PROMPTS[0]!, ...GREEDY });
    expect(ok.newTokens[0]).toEqual(await alone(PROMPTS[0]!));
    await batcher.close();
  });
});
