import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { InvalidPreprocessorConfigError } from './errors/invalid-preprocessor-config-error.js';
import { Gemma3ImageProcessor } from './gemma3-image-processor.js';
import { applyOverrides, DEFAULT_SETTINGS, resolvePreprocessorConfig } from './settings.js';
import { fixturePath } from './test-utils/fixtures.js';

// fixtures/preprocessor_config.json is a copy of the released gemma-3-4b-it one.
const released = JSON.parse(readFileSync(fixturePath('preprocessor_config.json'), 'utf8'));

describe('preprocessor config', () => {
  test('released gemma-3-4b-it config: 896x896, nulls fall back to the defaults', () => {
    const s = resolvePreprocessorConfig(released);
    expect(s.size).toEqual({ height: 896, width: 896 });
    expect(s.rescaleFactor).toBe(0.00392156862745098);
    expect(s.doPanAndScan).toBe(false);
    expect([s.panAndScanMinCropSize, s.panAndScanMaxNumCrops, s.panAndScanMinRatioToActivate]).toEqual([
      256, 4, 1.2,
    ]);
  });

  test('empty config: the reference class defaults (224x224)', () => {
    expect(resolvePreprocessorConfig({})).toEqual(DEFAULT_SETTINGS);
    expect(DEFAULT_SETTINGS.size).toEqual({ height: 224, width: 224 });
  });

  test.each([
    [{ resample: 3 }, 'resample'],
    [{ size: { height: 0, width: 10 } }, 'size.height'],
    [{ size: { shortest_edge: 10 } }, 'size'],
    [{ size: { height: 100_000, width: 100_000 } }, 'size.height'],
    [{ image_mean: [0.5, 0.5] }, 'image_mean'],
    [{ image_std: [0.5, 0, 0.5] }, 'image_std'],
    [{ do_resize: 'yes' }, 'do_resize'],
    [{ rescale_factor: Number.NaN }, 'rescale_factor'],
    [{ pan_and_scan_max_num_crops: 1.5 }, 'pan_and_scan_max_num_crops'],
    [{ do_convert_rgb: false }, 'do_convert_rgb'],
  ])('%j is refused naming %s', (json, field) => {
    try {
      resolvePreprocessorConfig(json as never, 'x/preprocessor_config.json');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidPreprocessorConfigError);
      expect((error as InvalidPreprocessorConfigError).field).toBe(field);
      expect((error as InvalidPreprocessorConfigError).file).toBe('x/preprocessor_config.json');
    }
  });

  test('per-call overrides are validated too', () => {
    const s = applyOverrides(DEFAULT_SETTINGS, { size: { height: 32, width: 48 }, doPanAndScan: true });
    expect(s.size).toEqual({ height: 32, width: 48 });
    expect(s.doPanAndScan).toBe(true);
    expect(() => applyOverrides(DEFAULT_SETTINGS, { size: { height: -1, width: 4 } })).toThrow(
      InvalidPreprocessorConfigError,
    );
  });

  test('fromPretrained reads preprocessor_config.json and names the file in errors', async () => {
    const p = await Gemma3ImageProcessor.fromPretrained(fixturePath('.'));
    expect(p.settings.size).toEqual({ height: 896, width: 896 });
    await expect(Gemma3ImageProcessor.fromPretrained(fixturePath('images'))).rejects.toThrow(
      /preprocessor_config\.json/,
    );
  });

  test('rescale/normalize switches follow the reference arithmetic', async () => {
    const p = new Gemma3ImageProcessor({ do_normalize: false, do_resize: false });
    const raw = { data: new Uint8Array([0, 51, 255]), width: 1, height: 1, channels: 3 as const };
    const out = await p.preprocess(raw);
    expect(Array.from(out.pixelValues.data)).toEqual([0, Math.fround(51 / 255), 1]);
    const none = await p.preprocess(raw, { doRescale: false });
    expect(Array.from(none.pixelValues.data)).toEqual([0, 51, 255]);
    const normalized = await p.preprocess(raw, { doNormalize: true });
    expect(Array.from(normalized.pixelValues.data)).toEqual([
      -1,
      Math.fround(Math.fround(Math.fround(51 / 255) - 0.5) / 0.5),
      1,
    ]);
  });
});
