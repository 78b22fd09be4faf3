import { Gemma3Error } from '@gemma3/errors';
import { describe, expect, test } from 'vitest';
import { ContextLengthExceededError } from '../errors/context-length-exceeded-error.js';
import { InvalidGenerationOptionError } from '../errors/invalid-generation-option-error.js';
import { InvalidPromptError } from '../errors/invalid-prompt-error.js';
import { ModelOutputError } from '../errors/model-output-error.js';
import { NonFiniteLogitsError } from '../errors/non-finite-logits-error.js';
import { type GenerateOptions, generate } from '../generate.js';
import { FakeModel, peaked } from '../test-utils/fake-model.js';

const V = 16;
const counter = (maxContextLength = 100) =>
  new FakeModel({
    vocabSize: V,
    maxContextLength,
    next: (seq) => peaked(V, ((seq[seq.length - 1] as number) + 1) % V),
  });

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('generate: abort', () => {
  test('an already aborted signal returns the prompt without running the model', async () => {
    const model = counter();
    const result = await generate(model, {
      inputIds: [[1, 2]],
      maxNewTokens: 5,
      signal: AbortSignal.abort(),
    });
    expect(result.sequences).toEqual([[1, 2]]);
    expect(result.finishReasons).toEqual(['abort']);
    expect(model.sessions).toHaveLength(0);
  });

  test('aborting during a step drops that step and returns the tokens so far', async () => {
    const controller = new AbortController();
    const model = new FakeModel({
      vocabSize: V,
      next: (seq) => peaked(V, ((seq[seq.length - 1] as number) + 1) % V),
      beforeDecode: (step) => {
        if (step === 3) controller.abort();
      },
    });
    const result = await generate(model, {
      inputIds: [[1], [5]],
      maxNewTokens: 10,
      signal: controller.signal,
      eosTokenId: 3,
      padTokenId: 0,
    });
    // Row 0 reached eos (3) at step 2, before the abort; row 1 is cut after 3 tokens.
    expect(result.sequences).toEqual([
      [1, 2, 3, 0],
      [5, 6, 7, 8],
    ]);
    expect(result.finishReasons).toEqual(['stop', 'abort']);
    expect(model.sessions[0]?.disposed).toBe(true);
  });

  test('a model that rejects because of the abort mid-step gives the partial result', async () => {
    const controller = new AbortController();
    const model = new FakeModel({
      vocabSize: V,
      next: (seq) => peaked(V, ((seq[seq.length - 1] as number) + 1) % V),
      beforeDecode: (step, signal) =>
        step < 2
          ? undefined
          : new Promise<void>((_, reject) => {
              signal?.addEventListener('abort', () => reject(new Error('run cancelled')));
              setTimeout(() => controller.abort(), 5);
            }),
    });
    const result = await generate(model, { inputIds: [[1]], maxNewTokens: 10, signal: controller.signal });
    expect(result.sequences).toEqual([[1, 2, 3]]);
    expect(result.finishReasons).toEqual(['abort']);
    expect(model.sessions[0]?.disposed).toBe(true);
  });

  test('a model error without an abort is rethrown, and the session is disposed', async () => {
    const model = new FakeModel({
      vocabSize: V,
      next: () => peaked(V, 1),
      beforeDecode: () => {
        throw new Error('onnxruntime failed');
      },
    });
    await expect(generate(model, { inputIds: [[1]], maxNewTokens: 3 })).rejects.toThrow('onnxruntime failed');
    expect(model.sessions[0]?.disposed).toBe(true);
  });
});

describe('generate: context length', () => {
  test('prompt + maxNewTokens beyond the context is refused with the numbers', async () => {
    const error = await failure(generate(counter(12), { inputIds: [[1, 2, 3, 4, 5]], maxNewTokens: 10 }));
    expect(error).toBeInstanceOf(ContextLengthExceededError);
    expect(error).toMatchObject({ promptLength: 5, maxNewTokens: 10, maxContextLength: 12 });
    expect((error as Error).message).toMatch(/5 tokens.*maxNewTokens is 10.*15 > .*12.*at most 7/);
  });

  test('a prompt longer than the context says so', async () => {
    const error = await failure(generate(counter(4), { inputIds: [[1, 2, 3, 4, 5]], maxNewTokens: 1 }));
    expect((error as Error).message).toMatch(/prompt has 5 tokens but the model's context holds 4/);
  });

  test('exactly the context is allowed', async () => {
    const result = await generate(counter(7), { inputIds: [[1, 2, 3, 4, 5]], maxNewTokens: 2 });
    expect(result.sequences[0]).toHaveLength(7);
  });
});

describe('generate: bad logits', () => {
  test.each([
    [Number.NaN, 2, 1],
    [Number.POSITIVE_INFINITY, 0, 0],
    [Number.NEGATIVE_INFINITY, 1, 1],
  ])('%f at step %i row %i is reported', async (value, step, row) => {
    const model: FakeModel = new FakeModel({
      vocabSize: V,
      next: (_seq, r) => {
        const logits = peaked(V, 4);
        const currentStep = model.sessions[0]?.decodes.length ?? 0; // 0 during prefill
        if (r === row && currentStep === step) logits[9] = value;
        return logits;
      },
    });
    const error = await failure(generate(model, { inputIds: [[1], [2]], maxNewTokens: 5 }));
    expect(error).toBeInstanceOf(NonFiniteLogitsError);
    expect(error).toMatchObject({ step, row, tokenId: 9 });
    expect((error as Error).message).toContain(step === 0 ? 'prefill' : `decode step ${step}`);
    expect(model.sessions[0]?.disposed).toBe(true);
  });

  test('logits of the wrong length break the contract', async () => {
    const model = {
      vocabSize: V,
      maxContextLength: 100,
      startSession: async () => ({
        prefill: async () => new Float32Array(V - 1),
        decode: async () => new Float32Array(V),
        dispose: () => {},
      }),
    };
    const error = await failure(generate(model, { inputIds: [[1]], maxNewTokens: 2 }));
    expect(error).toBeInstanceOf(ModelOutputError);
    expect(error).toMatchObject({ step: 0, expected: V, actual: V - 1 });
  });
});

describe('generate: bad input', () => {
  const base: GenerateOptions = { inputIds: [[1, 2]], maxNewTokens: 2 };

  test.each<[string, Partial<GenerateOptions>, RegExp]>([
    ['no rows', { inputIds: [] }, /no rows/],
    ['an empty row', { inputIds: [[]] }, /row 0\).*no real tokens/],
    ['an all-padding row', { inputIds: [[1, 2]], attentionMask: [[0, 0]] }, /row 0\).*no real tokens/],
    ['an id outside the vocabulary', { inputIds: [[1, 16]] }, /row 0, position 1\).*16.*\[0, 16\)/],
    ['a negative id', { inputIds: [[-1]] }, /token id -1/],
    [
      'right padding',
      { inputIds: [[1, 2]], attentionMask: [[1, 0]] },
      /row 0, position 1\).*only left padding/,
    ],
    ['a mask of another shape', { inputIds: [[1, 2]], attentionMask: [[1]] }, /must have 2 entries/],
    ['a mask with other values', { inputIds: [[1, 2]], attentionMask: [[1, 2]] }, /must be 0 or 1/],
    [
      'ragged rows with a mask',
      { inputIds: [[1, 2], [1]], attentionMask: [[1, 1], [1]] },
      /left-padded to one length/,
    ],
    ['ragged rows without a pad id', { inputIds: [[1, 2], [1]] }, /no padTokenId/],
  ])('%s: InvalidPromptError', async (_name, override, message) => {
    const error = await failure(generate(counter(), { ...base, ...override }));
    expect(error).toBeInstanceOf(InvalidPromptError);
    expect(Gemma3Error.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(message);
  });

  test.each<[string, unknown]>([
    ['temperature', -0.5],
    ['temperature', Number.NaN],
    ['topP', 0],
    ['topP', 1.5],
    ['topK', -1],
    ['topK', 2.5],
    ['minP', -0.1],
    ['minP', 1.01],
    ['repetitionPenalty', 0],
    ['repetitionPenalty', -1],
    ['maxNewTokens', 0],
    ['minNewTokens', -1],
    ['doSample', 'yes'],
    ['eosTokenId', [1, 'x']],
    ['eosTokenId', 99],
    ['padTokenId', -3],
    ['seed', -1],
    ['seed', 1.5],
    ['cache', 'paged'],
  ])('%s = %j: InvalidGenerationOptionError naming it', async (option, value) => {
    const error = await failure(generate(counter(), { ...base, [option]: value } as GenerateOptions));
    expect(error).toBeInstanceOf(InvalidGenerationOptionError);
    expect((error as InvalidGenerationOptionError).option).toContain(
      option === 'eosTokenId' && value === 99 ? 'eos' : option,
    );
  });

  test('the same checks apply to generation config fields', async () => {
    const error = await failure(generate(counter(), { ...base, generationConfig: { top_p: 2 } }));
    expect(error).toMatchObject({ option: 'topP', value: 2 });
  });

  test('stop strings need a decode function and non-empty strings', async () => {
    await expect(generate(counter(), { ...base, stopStrings: ['x'] })).rejects.toMatchObject({
      option: 'decode',
    });
    await expect(generate(counter(), { ...base, stopStrings: [''], decode: () => '' })).rejects.toMatchObject(
      {
        option: 'stopStrings',
      },
    );
  });

  test('a batch that can stop early needs a pad id', async () => {
    const error = await failure(
      generate(counter(), { inputIds: [[1], [2]], maxNewTokens: 2, stopStrings: ['a'], decode: () => '' }),
    );
    expect(error).toMatchObject({ option: 'padTokenId' });
  });
});
