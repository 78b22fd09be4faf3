import { describe, expect, test } from 'vitest';
import { ConfigValidationError } from './errors/config-validation-error.js';
import { defaultGenerationConfig, parseGenerationConfig } from './generation-config.js';
import { parseModelConfig } from './model-config.js';
import { fixture } from './test-utils/fixtures.js';

const model4b = parseModelConfig(fixture('gemma-3-4b-it.config.json'), 'config.json');
const model1b = parseModelConfig(fixture('gemma-3-1b-it.config.json'), 'config.json');

describe('generation_config.json', () => {
  test('released 4B file: eos list, sampling settings, other fields defaulted', () => {
    const json = {
      bos_token_id: 2,
      cache_implementation: 'hybrid',
      do_sample: true,
      eos_token_id: [1, 106],
      pad_token_id: 0,
      top_k: 64,
      top_p: 0.95,
      transformers_version: '4.50.0.dev0',
    };
    expect(parseGenerationConfig(json, 'generation_config.json', model4b)).toEqual({
      bos_token_id: 2,
      pad_token_id: 0,
      eos_token_id: [1, 106],
      do_sample: true,
      temperature: 1,
      top_k: 64,
      top_p: 0.95,
      min_p: null,
      repetition_penalty: 1,
      max_length: 20,
      max_new_tokens: null,
      cache_implementation: 'hybrid',
    });
  });

  test('a single eos id becomes a list', () => {
    expect(parseGenerationConfig({ eos_token_id: 1 }, 'g.json').eos_token_id).toEqual([1]);
  });

  test('absent file: token ids from the model config (multimodal: top-level eos list)', () => {
    expect(defaultGenerationConfig(model4b)).toMatchObject({
      eos_token_id: [1, 106],
      bos_token_id: 2,
      pad_token_id: 0,
    });
    expect(defaultGenerationConfig(model1b)).toMatchObject({
      eos_token_id: [1, 106],
      do_sample: false,
      top_k: 50,
    });
  });

  test.each([
    ['top_p', 1.5, /\[0, 1\]/],
    ['top_k', -1, /\[0, /],
    ['temperature', 'hot', /number/],
    ['do_sample', 1, /true or false/],
    ['eos_token_id', [], /non-empty list/],
    ['max_new_tokens', 1.5, /integer/],
  ])('rejects %s = %j', (field, value, reason) => {
    const error = (() => {
      try {
        parseGenerationConfig({ [field]: value }, 'dir/generation_config.json', model1b);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigValidationError);
    expect(error).toMatchObject({ file: 'dir/generation_config.json', field });
    expect((error as ConfigValidationError).reason).toMatch(reason);
  });

  test('eos id outside the model vocabulary', () => {
    expect(() => parseGenerationConfig({ eos_token_id: [999999] }, 'g.json', model1b)).toThrow(
      /eos_token_id\[0\]/,
    );
  });
});
