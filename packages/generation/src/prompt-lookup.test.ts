import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { InvalidGenerationOptionError } from './errors/invalid-generation-option-error.js';
import { type GenerateOptions, generate } from './generate.js';
import { findDraft, resolvePromptLookup } from './prompt-lookup.js';
import { FakeModel, type NextLogits, peaked } from './test-utils/fake-model.js';
import type { TokenEvent } from './token-streamer.js';

const settings = { draftTokens: 10, maxNgram: 2, minNgram: 1 };

describe('findDraft', () => {
  test('copies what followed the first earlier occurrence of the last 2 tokens', () => {
    expect(findDraft([5, 6, 7, 8, 9, 1, 5, 6], settings)).toEqual([7, 8, 9, 1, 5, 6]);
    expect(findDraft([5, 6, 7, 8, 9, 1, 5, 6], settings, 3)).toEqual([7, 8, 9]);
  });

  test('tries the longest n-gram first, then shorter ones; leftmost match wins', () => {
    // last 2 = [3, 4] occurs at 4 (followed by 9); last 1 = [4] occurs earlier at 1 (followed by 8).
    expect(findDraft([0, 4, 8, 2, 3, 4, 9, 3, 4], settings)).toEqual([9, 3, 4]);
    expect(findDraft([0, 4, 8, 2, 3, 4, 9, 3, 4], { ...settings, maxNgram: 1 })).toEqual([
      8, 2, 3, 4, 9, 3, 4,
    ]);
    // no earlier [7, 4]: falls back to [4]
    expect(findDraft([4, 1, 2, 7, 4], settings)).toEqual([1, 2, 7, 4]);
  });

  test('no match, minNgram above the match, too short, zero limit: no draft', () => {
    expect(findDraft([1, 2, 3, 4], settings)).toEqual([]);
    expect(findDraft([4, 1, 2, 7, 4], { ...settings, minNgram: 2 })).toEqual([]);
    expect(findDraft([4], settings)).toEqual([]);
    expect(findDraft([5, 6, 5, 6], settings, 0)).toEqual([]);
  });

  test('a run of one token drafts more of it (overlapping match)', () => {
    expect(findDraft([3, 3, 3], settings)).toEqual([3]);
    expect(findDraft([3, 3, 3, 3, 3], settings, 10)).toEqual([3, 3, 3]);
  });
});

describe('resolvePromptLookup', () => {
  test('off by default; true gives transformers defaults; config prompt_lookup_num_tokens turns it on', () => {
    expect(resolvePromptLookup(undefined, {})).toBeUndefined();
    expect(resolvePromptLookup(true, undefined)).toEqual({ draftTokens: 10, maxNgram: 2, minNgram: 1 });
    expect(
      resolvePromptLookup(undefined, { prompt_lookup_num_tokens: 4, max_matching_ngram_size: 3 }),
    ).toEqual({ draftTokens: 4, maxNgram: 3, minNgram: 1 });
    expect(resolvePromptLookup(false, { prompt_lookup_num_tokens: 4 })).toBeUndefined();
    expect(resolvePromptLookup({ draftTokens: 3 }, { prompt_lookup_num_tokens: 4 })?.draftTokens).toBe(3);
  });

  test.each([
    [{ draftTokens: 0 }, 'promptLookup.draftTokens'],
    [{ draftTokens: 2.5 }, 'promptLookup.draftTokens'],
    [{ maxNgram: -1 }, 'promptLookup.maxNgram'],
    [{ minNgram: 3 }, 'promptLookup.minNgram'],
    ['yes', 'promptLookup'],
  ])('rejects %j', (option, name) => {
    expect(() => resolvePromptLookup(option as never, undefined)).toThrow(
      expect.objectContaining({ option: name }),
    );
  });
});

/** The next token is a function of the last two: a small vocabulary repeats, so drafts often hit. */
const hashed =
  (vocabSize: number, salt: number): NextLogits =>
  (seq) => {
    const a = seq[seq.length - 1] ?? 0;
    const b = seq[seq.length - 2] ?? 0;
    return Float32Array.from({ length: vocabSize }, (_, i) => Math.sin(salt + a * 7.1 + b * 3.3 + i * 1.7));
  };

async function both(next: NextLogits, vocabSize: number, options: GenerateOptions) {
  const plainModel = new FakeModel({ vocabSize, next });
  const lookupModel = new FakeModel({ vocabSize, next, speculative: true });
  const plainEvents: TokenEvent[] = [];
  const lookupEvents: TokenEvent[] = [];
  const plain = await generate(plainModel, {
    ...options,
    streamer: { onTokens: (e) => void plainEvents.push(e) },
  });
  const lookup = await generate(lookupModel, {
    promptLookup: true,
    ...options,
    streamer: { onTokens: (e) => void lookupEvents.push(e) },
  });
  return {
    plain,
    lookup,
    plainEvents,
    lookupEvents,
    plainSession: plainModel.sessions[0]!,
    session: lookupModel.sessions[0]!,
  };
}

describe('generate with promptLookup', () => {
  test('property: same tokens, finish reasons and stream events as plain decoding', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          vocab: fc.integer({ min: 3, max: 8 }),
          salt: fc.integer({ min: 0, max: 1000 }),
          prompt: fc.array(fc.integer({ min: 0, max: 7 }), { minLength: 1, maxLength: 30 }),
          maxNewTokens: fc.integer({ min: 1, max: 40 }),
          draftTokens: fc.integer({ min: 1, max: 12 }),
          maxNgram: fc.integer({ min: 1, max: 4 }),
          eos: fc.option(fc.integer({ min: 0, max: 7 })),
          repetitionPenalty: fc.constantFrom(1, 1.3),
          minNewTokens: fc.integer({ min: 0, max: 3 }),
          doSample: fc.boolean(),
          seed: fc.integer({ min: 0, max: 1000 }),
        }),
        async (c) => {
          const prompt = c.prompt.map((t) => t % c.vocab);
          const { plain, lookup, plainEvents, lookupEvents, session } = await both(
            hashed(c.vocab, c.salt),
            c.vocab,
            {
              inputIds: [prompt],
              maxNewTokens: c.maxNewTokens,
              ...(c.eos === null ? {} : { eosTokenId: c.eos % c.vocab }),
              repetitionPenalty: c.repetitionPenalty,
              minNewTokens: c.minNewTokens,
              doSample: c.doSample,
              seed: c.seed,
              promptLookup: { draftTokens: c.draftTokens, maxNgram: c.maxNgram },
            },
          );
          expect(lookup.sequences).toEqual(plain.sequences);
          expect(lookup.finishReasons).toEqual(plain.finishReasons);
          expect(lookupEvents).toEqual(plainEvents);
          expect(session.disposed).toBe(true);
          for (const v of session.verifies) {
            // never more positions than prompt + maxNewTokens - 1 (the last token is never run)
            expect(v.positionIds[v.positionIds.length - 1]).toBeLessThan(prompt.length + c.maxNewTokens - 1);
            expect(v.tokenIds.length).toBeLessThanOrEqual(c.draftTokens + 1);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  test('copying a span of the prompt: fewer model calls, same output', async () => {
    // The model continues a counter (last + 1), so the prompt's 10..29 is copied; ends with eos 1 after 29.
    const V = 40;
    const next: NextLogits = (seq) => {
      const last = seq[seq.length - 1] as number;
      return peaked(V, last === 29 ? 1 : last + 1);
    };
    const prompt = [2, ...Array.from({ length: 20 }, (_, i) => 10 + i), 3, 10];
    const { plain, lookup, plainSession, session } = await both(next, V, {
      inputIds: [prompt],
      maxNewTokens: 30,
      eosTokenId: 1,
    });
    expect(plain.newTokens[0]).toEqual([...Array.from({ length: 19 }, (_, i) => 11 + i), 1]);
    expect(lookup.sequences).toEqual(plain.sequences);
    expect(plainSession.decodes.length).toBe(19);
    // after [3, 10]: drafts 11..20 (10) all accepted + 21; then 22..29 drafted (10 tokens: 22..29, 3, 10),
    // 22..29 accepted, 3 rejected: the model says eos 1 -> stop
    expect(session.verifies.map((v) => v.tokenIds.length)).toEqual([11, 11]);
    expect(session.decodes.length).toBe(0);
    expect(session.rollbacks).toEqual([]); // it stopped at eos in the second step: nothing to roll back
  });

  test('eos inside the drafts: stops at the first eos the model confirms', async () => {
    const V = 40;
    const next: NextLogits = (seq) => {
      const last = seq[seq.length - 1] as number;
      return peaked(V, last === 12 ? 1 : last + 1);
    };
    const prompt = [10, 11, 12, 1, 13, 14, 5, 10];
    const { plain, lookup, session } = await both(next, V, {
      inputIds: [prompt],
      maxNewTokens: 20,
      eosTokenId: [1, 39],
    });
    expect(plain.newTokens[0]).toEqual([11, 12, 1]);
    expect(lookup.newTokens).toEqual(plain.newTokens);
    expect(lookup.finishReasons).toEqual(['stop']);
    expect(session.verifies[0]?.tokenIds).toEqual([11, 12, 1, 13, 14, 5, 10, 11]); // pending 11 + drafts after [10, 11]
  });

  test('maxNewTokens: drafts are cut so no more tokens are made nor positions run than without', async () => {
    const V = 40;
    const next: NextLogits = (seq) => peaked(V, ((seq[seq.length - 1] as number) + 1) % V);
    const prompt = [...Array.from({ length: 30 }, (_, i) => i), 0];
    for (const maxNewTokens of [1, 2, 3, 5, 12]) {
      const { plain, lookup, session } = await both(next, V, { inputIds: [prompt], maxNewTokens });
      expect(lookup.newTokens[0]).toHaveLength(maxNewTokens);
      expect(lookup.sequences).toEqual(plain.sequences);
      expect(lookup.finishReasons).toEqual(['length']);
      const last = session.verifies.at(-1)?.positionIds.at(-1) ?? -1;
      expect(last).toBeLessThanOrEqual(prompt.length + maxNewTokens - 2);
    }
  });

  test('rejected drafts are rolled back and decoding goes on from the right context', async () => {
    // Prompt has [5, 6, 7, 8] but the model continues 5, 6 with 9: drafts 7.. rejected.
    const V = 20;
    const table: Record<number, number> = { 4: 5, 5: 6, 6: 9, 9: 4 };
    const next: NextLogits = (seq) => peaked(V, table[seq[seq.length - 1] as number] ?? 0);
    const { plain, lookup, session } = await both(next, V, {
      inputIds: [[5, 6, 7, 8, 4]],
      maxNewTokens: 12,
    });
    expect(lookup.sequences).toEqual(plain.sequences);
    expect(session.rollbacks.length).toBeGreaterThan(0);
  });

  test('stop strings end the run inside a verified step', async () => {
    const V = 40;
    const next: NextLogits = (seq) => peaked(V, ((seq[seq.length - 1] as number) + 1) % V);
    const decode = (ids: readonly number[]) => ids.map((i) => String.fromCharCode(97 + (i % 26))).join('');
    const prompt = [...Array.from({ length: 20 }, (_, i) => i), 0];
    const { plain, lookup } = await both(next, V, {
      inputIds: [prompt],
      maxNewTokens: 20,
      stopStrings: ['fgh'],
      decode,
    });
    expect(plain.newTokens[0]).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(lookup.newTokens).toEqual(plain.newTokens);
    expect(lookup.stopStrings).toEqual(['fgh']);
  });

  test('a session without verify/rollback decodes plainly', async () => {
    const V = 40;
    const next: NextLogits = (seq) => peaked(V, ((seq[seq.length - 1] as number) + 1) % V);
    const model = new FakeModel({ vocabSize: V, next });
    const result = await generate(model, {
      inputIds: [[0, 1, 2, 3, 0]],
      maxNewTokens: 4,
      promptLookup: true,
    });
    expect(result.newTokens[0]).toEqual([1, 2, 3, 4]);
    expect(model.sessions[0]?.decodes.length).toBe(3);
    expect(model.sessions[0]?.options.draftTokens).toBe(10);
  });

  test('a batch of more than one row is refused', async () => {
    const model = new FakeModel({ vocabSize: 8, next: () => peaked(8, 1), speculative: true });
    await expect(
      generate(model, { inputIds: [[1], [2]], promptLookup: true, maxNewTokens: 2 }),
    ).rejects.toBeInstanceOf(InvalidGenerationOptionError);
    expect(model.sessions).toHaveLength(0);
  });

  test('abort during a verify step returns the tokens before it', async () => {
    const V = 40;
    const controller = new AbortController();
    const next: NextLogits = (seq) => peaked(V, ((seq[seq.length - 1] as number) + 1) % V);
    const model = new FakeModel({
      vocabSize: V,
      next,
      speculative: true,
      beforeDecode: (step) => {
        if (step === 1) controller.abort();
      },
    });
    const result = await generate(model, {
      inputIds: [[0, 1, 2, 3, 4, 0]],
      maxNewTokens: 10,
      promptLookup: true,
      signal: controller.signal,
    });
    expect(result.newTokens[0]).toEqual([1]);
    expect(result.finishReasons).toEqual(['abort']);
    expect(model.sessions[0]?.verifies).toHaveLength(1);
    expect(model.sessions[0]?.disposed).toBe(true);
  });

  test('abort from the streamer in the middle of a verified step: no token after it', async () => {
    const V = 40;
    const controller = new AbortController();
    const next: NextLogits = (seq) => peaked(V, ((seq[seq.length - 1] as number) + 1) % V);
    const model = new FakeModel({ vocabSize: V, next, speculative: true });
    const result = await generate(model, {
      inputIds: [[...Array.from({ length: 20 }, (_, i) => i), 0]],
      maxNewTokens: 15,
      promptLookup: true,
      signal: controller.signal,
      streamer: {
        onTokens: ({ tokens }) => {
          if (tokens[0] === 4) controller.abort();
        },
      },
    });
    expect(model.sessions[0]?.verifies).toHaveLength(1); // drafts 2..11 were all right
    expect(result.newTokens[0]).toEqual([1, 2, 3, 4]);
    expect(result.finishReasons).toEqual(['abort']);
  });

  test('a verify that returns the wrong number of logits is a ModelOutputError', async () => {
    const model = new FakeModel({ vocabSize: 8, next: () => peaked(8, 1), speculative: true });
    const original = model.startSession.bind(model);
    model.startSession = async (o) => {
      const s = await original(o);
      return { ...s, verify: async () => new Float32Array(8) };
    };
    await expect(
      generate(model, { inputIds: [[1, 1, 1]], promptLookup: true, maxNewTokens: 5 }),
    ).rejects.toMatchObject({ code: 'generation/model-output' });
  });
});
