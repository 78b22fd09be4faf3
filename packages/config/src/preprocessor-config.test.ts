import { describe, expect, test } from 'vitest';
import { ConfigValidationError } from './errors/config-validation-error.js';
import { GEMMA3_PROCESSOR_DEFAULTS, parsePreprocessorConfig } from './preprocessor-config.js';
import { fixture } from './test-utils/fixtures.js';

describe('preprocessor_config.json + processor_config.json', () => {
  test('released 4B file: 896x896, nulls take the defaults', () => {
    const config = parsePreprocessorConfig(
      fixture('gemma-3-4b-it.preprocessor_config.json'),
      'preprocessor_config.json',
    );
    expect(config).toEqual({
      size: { height: 896, width: 896 },
      do_resize: true,
      resample: 2,
      do_rescale: true,
      rescale_factor: 0.00392156862745098,
      do_normalize: true,
      image_mean: [0.5, 0.5, 0.5],
      image_std: [0.5, 0.5, 0.5],
      do_convert_rgb: true,
      image_seq_length: 256,
      do_pan_and_scan: false,
      pan_and_scan_min_crop_size: 256,
      pan_and_scan_max_num_crops: 4,
      pan_and_scan_min_ratio_to_activate: 1.2,
    });
  });

  test('empty file gives the Gemma3ImageProcessor class defaults (224x224)', () => {
    expect(parsePreprocessorConfig({}, 'p.json')).toEqual(GEMMA3_PROCESSOR_DEFAULTS);
  });

  test('processor_config.json image_seq_length wins', () => {
    const config = parsePreprocessorConfig(
      { image_seq_length: 256 },
      'p.json',
      { image_seq_length: 64 },
      'q.json',
    );
    expect(config.image_seq_length).toBe(64);
  });

  test.each([
    [{ size: { height: 0, width: 896 } }, 'size.height'],
    [{ size: { height: 896 } }, 'size.width'],
    [{ size: 896 }, 'size'],
    [{ image_mean: [0.5, 0.5] }, 'image_mean'],
    [{ image_std: [0.5, 0, 0.5] }, 'image_std[1]'],
    [{ resample: 9 }, 'resample'],
    [{ do_pan_and_scan: 'yes' }, 'do_pan_and_scan'],
    [{ pan_and_scan_min_ratio_to_activate: 0.5 }, 'pan_and_scan_min_ratio_to_activate'],
    [{ image_seq_length: -3 }, 'image_seq_length'],
  ])('rejects %j at %s', (json, field) => {
    expect(() => parsePreprocessorConfig(json, 'dir/preprocessor_config.json')).toThrow(
      ConfigValidationError,
    );
    expect(() => parsePreprocessorConfig(json, 'dir/preprocessor_config.json')).toThrow(
      `dir/preprocessor_config.json: ${field}:`,
    );
  });

  test('bad processor_config.json is named', () => {
    expect(() =>
      parsePreprocessorConfig({}, 'p.json', { image_seq_length: 'x' }, 'dir/processor_config.json'),
    ).toThrow('dir/processor_config.json: image_seq_length:');
  });
});
