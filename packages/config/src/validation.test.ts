import { describe, expect, test } from 'vitest';
import { ConfigValidationError } from './errors/config-validation-error.js';
import { CONFIG_LIMITS } from './limits.js';
import { parseModelConfig } from './model-config.js';
import { fixture } from './test-utils/fixtures.js';

const text = () => fixture('gemma-3-1b-it.config.json');
const multimodal = () => fixture('gemma-3-4b-it.config.json');

function withText(patch: Record<string, unknown>) {
  return { ...text(), ...patch };
}

function withTextConfig(patch: Record<string, unknown>) {
  const json = multimodal();
  return { ...json, text_config: { ...(json.text_config as object), ...patch } };
}

function withVision(patch: Record<string, unknown>) {
  const json = multimodal();
  return { ...json, vision_config: { ...(json.vision_config as object), ...patch } };
}

function rejection(json: unknown): ConfigValidationError {
  try {
    parseModelConfig(json, 'model/config.json');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigValidationError);
    return error as ConfigValidationError;
  }
  throw new Error('expected the config to be rejected');
}

function expectRejected(json: unknown, field: string, reason: RegExp) {
  const error = rejection(json);
  expect(error.file).toBe('model/config.json');
  expect(error.field).toBe(field);
  expect(error.reason).toMatch(reason);
  expect(error.message).toContain(`model/config.json: ${field}:`);
  expect(error.code).toBe('config/invalid-field');
}

describe('config.json validation names file and field', () => {
  test('not an object', () => expectRejected([1, 2], '(root)', /JSON object/));
  test('missing model_type', () => {
    const { model_type: _, ...rest } = text();
    expectRejected(rest, 'model_type', /required/);
  });
  test('unknown model_type', () =>
    expectRejected(withText({ model_type: 'llama' }), 'model_type', /unknown model_type "llama"/));
  test('wrong type', () =>
    expectRejected(withText({ hidden_size: '1152' }), 'hidden_size', /integer, got "1152"/));
  test('non-integer size', () =>
    expectRejected(withText({ num_hidden_layers: 2.5 }), 'num_hidden_layers', /integer/));
  test('non-positive size', () =>
    expectRejected(withText({ intermediate_size: 0 }), 'intermediate_size', /\[1, /));
  test('negative head_dim', () => expectRejected(withText({ head_dim: -1 }), 'head_dim', /\[1, /));
  test('absurd vocab size', () =>
    expectRejected(withText({ vocab_size: 1e9 }), 'vocab_size', new RegExp(`${CONFIG_LIMITS.maxVocabSize}`)));
  test('absurd layer count', () =>
    expectRejected(withText({ num_hidden_layers: 100000 }), 'num_hidden_layers', /512/));
  test('absurd context', () =>
    expectRejected(withText({ max_position_embeddings: 2 ** 40 }), 'max_position_embeddings', /must be in/));
  test('tensor too large even though each size is bounded', () =>
    expectRejected(
      withText({ vocab_size: 1 << 20, hidden_size: 1 << 15 }),
      'vocab_size',
      /exceeds the limit/,
    ));
  test('heads not dividing', () =>
    expectRejected(
      withText({ num_attention_heads: 4, num_key_value_heads: 3 }),
      'num_key_value_heads',
      /multiple/,
    ));
  test('hidden size not a multiple of heads', () =>
    expectRejected(
      withText({ num_attention_heads: 5, num_key_value_heads: 1 }),
      'num_attention_heads',
      /multiple/,
    ));
  test('layer_types length differs from num_hidden_layers', () =>
    expectRejected(
      withText({ layer_types: ['full_attention'] }),
      'layer_types',
      /1 entries but num_hidden_layers is 26/,
    ));
  test('unknown layer type', () => {
    const layer_types = Array.from({ length: 26 }, () => 'sliding_attention');
    layer_types[3] = 'chunked_attention';
    expectRejected(withText({ layer_types }), 'layer_types[3]', /must be one of/);
  });
  test('non-positive sliding_window_pattern', () =>
    expectRejected(withText({ sliding_window_pattern: 0 }), 'sliding_window_pattern', /\[1, /));
  test('unsupported rope type', () =>
    expectRejected(
      withText({ rope_scaling: { rope_type: 'yarn', factor: 4 } }),
      'rope_scaling.rope_type',
      /unsupported/,
    ));
  test('linear rope without factor', () =>
    expectRejected(withText({ rope_scaling: { rope_type: 'linear' } }), 'rope_scaling.factor', /required/));
  test('non-positive rope theta', () => expectRejected(withText({ rope_theta: 0 }), 'rope_theta', /\(0, /));
  test('rope_parameters entry of the wrong type', () =>
    expectRejected(
      withText({ rope_parameters: { full_attention: 'linear' } }),
      'rope_parameters.full_attention',
      /object/,
    ));
  test('token id outside the vocabulary', () =>
    expectRejected(withText({ eos_token_id: [1, 262144] }), 'eos_token_id[1]', /262143/));
  test('unsupported activation', () =>
    expectRejected(withText({ hidden_activation: 'relu' }), 'hidden_activation', /one of/));
  test('non-positive rms_norm_eps', () =>
    expectRejected(withText({ rms_norm_eps: 0 }), 'rms_norm_eps', /\(0, /));
  test('bidirectional attention is refused', () =>
    expectRejected(
      withText({ use_bidirectional_attention: true }),
      'use_bidirectional_attention',
      /not supported/,
    ));
  test('nested field paths in text_config', () =>
    expectRejected(
      withTextConfig({ num_key_value_heads: 3 }),
      'text_config.num_key_value_heads',
      /multiple/,
    ));
  test('text_config of the wrong type', () =>
    expectRejected({ ...multimodal(), text_config: 3 }, 'text_config', /object/));
  test('image_size not a multiple of patch_size', () =>
    expectRejected(withVision({ image_size: 900 }), 'vision_config.image_size', /multiple of patch_size/));
  test('vision heads not dividing hidden size', () =>
    expectRejected(withVision({ num_attention_heads: 7 }), 'vision_config.num_attention_heads', /multiple/));
  test('absurd image size', () =>
    expectRejected(withVision({ image_size: 1e6 }), 'vision_config.image_size', /4096/));
  test('mm_tokens_per_image not a square', () =>
    expectRejected({ ...multimodal(), mm_tokens_per_image: 200 }, 'mm_tokens_per_image', /square/));
  test('mm_tokens_per_image side not dividing the patch grid', () =>
    // 896 / 14 = 64 patches per side; 25 tokens = 5 x 5 does not divide 64.
    expectRejected(
      { ...multimodal(), mm_tokens_per_image: 25 },
      'mm_tokens_per_image',
      /must divide the patch grid side/,
    ));
  test('boi token outside the embedding', () =>
    expectRejected({ ...multimodal(), boi_token_index: 262208 }, 'boi_token_index', /262207/));
  test('negative image token', () =>
    expectRejected({ ...multimodal(), image_token_index: -1 }, 'image_token_index', /\[0, /));
});
