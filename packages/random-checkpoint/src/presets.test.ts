import { parseModelConfig, parsePreprocessorConfig, textConfigOf } from '@gemma3/config';
import { describe, expect, test } from 'vitest';
import { toTransformersV5Config } from './config-format.js';
import { presetFiles, RANDOM_CHECKPOINT_PRESETS } from './presets.js';

describe('presets', () => {
  test('tiny-text has both layer types and a short sliding window', () => {
    const text = textConfigOf(parseModelConfig(presetFiles('tiny-text').config, 'tiny-text'));
    expect(text.layer_types).toEqual([
      'sliding_attention',
      'sliding_attention',
      'sliding_attention',
      'sliding_attention',
      'sliding_attention',
      'full_attention',
      'sliding_attention',
    ]);
    expect(text.sliding_window).toBe(16);
    expect(text.layers.every((l) => l.rope_scaling_factor === 1)).toBe(true);
  });

  test('tiny-vlm: linear rope on full layers, pooled image tokens match the processor', () => {
    const files = presetFiles('tiny-vlm');
    const config = parseModelConfig(files.config, 'tiny-vlm');
    if (config.model_type !== 'gemma3') throw new Error('expected multimodal');
    expect(config.text_config.layers[5]?.rope_scaling_factor).toBe(8);
    expect(config.text_config.layers[4]?.rope_scaling_factor).toBe(1);
    const processor = parsePreprocessorConfig(files.preprocessorConfig, 'p', files.processorConfig, 'q');
    expect(processor.image_seq_length).toBe(config.mm_tokens_per_image);
    expect(processor.size).toEqual({
      height: config.vision_config.image_size,
      width: config.vision_config.image_size,
    });
  });

  test.each(RANDOM_CHECKPOINT_PRESETS)(
    '%s: the transformers-v5 config parses to the same object',
    (preset) => {
      const released = presetFiles(preset).config;
      const v5 = toTransformersV5Config(released);
      const text = (v5.text_config ?? v5) as Record<string, unknown>;
      expect(text.rope_theta).toBeUndefined();
      expect(text.sliding_window_pattern).toBeUndefined();
      expect(text.layer_types).toBeDefined();
      expect(parseModelConfig(v5, 'v5')).toEqual(parseModelConfig(released, 'released'));
    },
  );

  test('presetFiles returns copies', () => {
    const a = presetFiles('1b');
    a.config.hidden_size = 1;
    expect(presetFiles('1b').config.hidden_size).toBe(1152);
  });
});
