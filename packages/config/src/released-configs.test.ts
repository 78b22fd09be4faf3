import { describe, expect, test } from 'vitest';
import { parseModelConfig, parseTextConfig } from './model-config.js';
import { fixture } from './test-utils/fixtures.js';

describe('released gemma-3-1b-it config', () => {
  const config = parseTextConfig(fixture('gemma-3-1b-it.config.json'), 'gemma-3-1b-it/config.json');

  test('keeps the file values', () => {
    expect(config.num_hidden_layers).toBe(26);
    expect(config.hidden_size).toBe(1152);
    expect(config.num_attention_heads).toBe(4);
    expect(config.num_key_value_heads).toBe(1);
    expect(config.vocab_size).toBe(262144);
    expect(config.sliding_window).toBe(512);
    expect(config.max_position_embeddings).toBe(32768);
    expect(config.eos_token_id).toEqual([1, 106]);
    expect(config.dtype).toBe('bfloat16');
  });

  test('derives layer types: full attention on every 6th layer', () => {
    expect(config.layer_types).toHaveLength(26);
    const full = config.layer_types.flatMap((t, i) => (t === 'full_attention' ? [i] : []));
    expect(full).toEqual([5, 11, 17, 23]);
  });

  test('derives per-layer rope: local 1e4, global 1e6, no scaling (rope_scaling null)', () => {
    expect(config.rope_parameters).toEqual({
      sliding_attention: { rope_type: 'default', rope_theta: 10000 },
      full_attention: { rope_type: 'default', rope_theta: 1000000 },
    });
    expect(config.layers[5]).toEqual({
      layer_type: 'full_attention',
      sliding_window: null,
      rope_theta: 1e6,
      rope_scaling_factor: 1,
    });
    expect(config.layers[0]).toEqual({
      layer_type: 'sliding_attention',
      sliding_window: 512,
      rope_theta: 1e4,
      rope_scaling_factor: 1,
    });
  });
});

describe('released gemma-3-4b-it config (6 text fields named)', () => {
  const config = parseModelConfig(fixture('gemma-3-4b-it.config.json'), 'gemma-3-4b-it/config.json');
  if (config.model_type !== 'gemma3') throw new Error('expected a multimodal config');
  const text = config.text_config;

  test('fills text defaults from Gemma3TextConfig', () => {
    expect(text.num_hidden_layers).toBe(34);
    expect(text.hidden_size).toBe(2560);
    expect(text.intermediate_size).toBe(10240);
    expect(text.vocab_size).toBe(262208);
    expect(text.num_attention_heads).toBe(8);
    expect(text.num_key_value_heads).toBe(4);
    expect(text.head_dim).toBe(256);
    expect(text.query_pre_attn_scalar).toBe(256);
    expect(text.rms_norm_eps).toBe(1e-6);
    expect(text.max_position_embeddings).toBe(131072);
    expect(text.tie_word_embeddings).toBe(true);
    expect(text.final_logit_softcapping).toBeNull();
    expect(text.attn_logit_softcapping).toBeNull();
    expect(text.hidden_activation).toBe('gelu_pytorch_tanh');
    expect(text.sliding_window).toBe(1024);
  });

  test('linear factor 8 applies to full-attention layers only', () => {
    const full = text.layers.filter((l) => l.layer_type === 'full_attention');
    const sliding = text.layers.filter((l) => l.layer_type === 'sliding_attention');
    expect(full).toHaveLength(5);
    expect(sliding).toHaveLength(29);
    for (const layer of full) expect(layer).toMatchObject({ rope_theta: 1e6, rope_scaling_factor: 8 });
    for (const layer of sliding) {
      expect(layer).toMatchObject({ rope_theta: 1e4, rope_scaling_factor: 1, sliding_window: 1024 });
    }
  });

  test('fills vision defaults from SiglipVisionConfig and keeps the multimodal fields', () => {
    expect(config.vision_config).toEqual({
      model_type: 'siglip_vision_model',
      hidden_size: 1152,
      intermediate_size: 4304,
      num_hidden_layers: 27,
      num_attention_heads: 16,
      num_channels: 3,
      image_size: 896,
      patch_size: 14,
      hidden_act: 'gelu_pytorch_tanh',
      layer_norm_eps: 1e-6,
      attention_dropout: 0,
      vision_use_head: false,
    });
    expect(config.mm_tokens_per_image).toBe(256);
    expect(config.boi_token_index).toBe(255999);
    expect(config.eoi_token_index).toBe(256000);
    expect(config.image_token_index).toBe(262144);
    expect(config.eos_token_id).toEqual([1, 106]);
    expect(text.eos_token_id).toEqual([1]);
  });

  test('image_token_index may lie past the text vocabulary (the reference maps it to 0 before embedding)', () => {
    const json = fixture('gemma-3-4b-it.config.json');
    const small = {
      ...json,
      text_config: { ...(json.text_config as object), vocab_size: 1000 },
      image_token_index: 1000,
    };
    const parsed = parseModelConfig({ ...small, boi_token_index: 998, eoi_token_index: 999 }, 'c.json');
    expect(parsed).toMatchObject({ image_token_index: 1000 });
  });
});

describe('both formats of one model parse to the same object', () => {
  // The *.v5.config.json fixtures were written by transformers 5.18 from the released files
  // (tools/convert-configs.py): layer_types + rope_parameters instead of the released fields.
  test('1B', () => {
    const released = parseModelConfig(fixture('gemma-3-1b-it.config.json'), 'released');
    const current = parseModelConfig(fixture('gemma-3-1b-it.v5.config.json'), 'v5');
    expect(current).toEqual(released);
  });

  test('4B', () => {
    const released = parseModelConfig(fixture('gemma-3-4b-it.config.json'), 'released');
    const current = parseModelConfig(fixture('gemma-3-4b-it.v5.config.json'), 'v5');
    expect(current).toEqual(released);
  });

  test('the v5 fixtures really use the other format', () => {
    const v5 = fixture('gemma-3-4b-it.v5.config.json').text_config as Record<string, unknown>;
    expect(v5.rope_scaling).toBeUndefined();
    expect(v5.layer_types).toHaveLength(34);
    expect(v5.rope_parameters).toBeDefined();
  });
});
