import { describe, expect, test } from 'vitest';
import { resolveSettings } from './generation-options.js';

describe('resolveSettings', () => {
  test("transformers' defaults when nothing is given", () => {
    expect(resolveSettings({}, undefined)).toEqual({
      maxNewTokens: 20,
      minNewTokens: 0,
      doSample: false,
      temperature: 1,
      topK: 50,
      topP: 1,
      minP: 0,
      repetitionPenalty: 1,
      eosTokenIds: [],
      padTokenId: undefined,
      cache: 'dynamic',
    });
  });

  test('snake_case and camelCase config keys; null means unset; pad defaults to the first eos', () => {
    const snake = resolveSettings(
      {},
      { top_k: 64, top_p: 0.95, min_p: null, eos_token_id: [1, 106], do_sample: true },
    );
    const camel = resolveSettings(
      {},
      { topK: 64, topP: 0.95, minP: null, eosTokenId: [1, 106], doSample: true },
    );
    expect(snake).toEqual(camel);
    expect(snake).toMatchObject({
      topK: 64,
      topP: 0.95,
      minP: 0,
      eosTokenIds: [1, 106],
      padTokenId: 1,
      doSample: true,
    });
  });

  test("cache: 'static' from the config or the option; Gemma's 'hybrid' is dynamic", () => {
    expect(resolveSettings({}, { cache_implementation: 'static' }).cache).toBe('static');
    expect(resolveSettings({}, { cache_implementation: 'hybrid' }).cache).toBe('dynamic');
    expect(resolveSettings({ cache: 'static' }, { cache_implementation: 'hybrid' }).cache).toBe('static');
  });

  test('temperature 0 turns sampling off; max_length is not read', () => {
    expect(resolveSettings({ doSample: true, temperature: 0 }, { max_length: 5 })).toMatchObject({
      doSample: false,
      maxNewTokens: 20,
    });
  });
});
