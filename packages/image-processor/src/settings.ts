import { InvalidPreprocessorConfigError } from './errors/invalid-preprocessor-config-error.js';
import { DEFAULT_IMAGE_LIMITS, type ImageLimits } from './image-input.js';

/** The fields of a Hugging Face `preprocessor_config.json` the Gemma 3 image processors read. */
export interface PreprocessorConfigJson {
  readonly do_convert_rgb?: boolean | null;
  readonly do_resize?: boolean | null;
  readonly size?: { readonly height: number; readonly width: number } | null;
  readonly resample?: number | null;
  readonly do_rescale?: boolean | null;
  readonly rescale_factor?: number | null;
  readonly do_normalize?: boolean | null;
  readonly image_mean?: number | readonly number[] | null;
  readonly image_std?: number | readonly number[] | null;
  readonly do_pan_and_scan?: boolean | null;
  readonly pan_and_scan_min_crop_size?: number | null;
  readonly pan_and_scan_max_num_crops?: number | null;
  readonly pan_and_scan_min_ratio_to_activate?: number | null;
  readonly image_seq_length?: number | null;
  readonly [other: string]: unknown;
}

/** Every setting resolved (config file, then class defaults). Per-call options override any of them. */
export interface ImageProcessorSettings {
  readonly doResize: boolean;
  readonly size: { readonly height: number; readonly width: number };
  readonly doRescale: boolean;
  readonly rescaleFactor: number;
  readonly doNormalize: boolean;
  readonly imageMean: readonly [number, number, number];
  readonly imageStd: readonly [number, number, number];
  readonly doPanAndScan: boolean;
  readonly panAndScanMinCropSize: number;
  readonly panAndScanMaxNumCrops: number;
  readonly panAndScanMinRatioToActivate: number;
}

/** Per-call options of `preprocess`: any setting, plus input limits. */
export interface PreprocessOptions extends Partial<ImageProcessorSettings> {
  readonly maxPixels?: number;
  readonly maxBytes?: number;
  /** Used for http(s) image URLs. */
  readonly fetch?: typeof fetch;
}

/** PIL's BILINEAR (`resample: 2`), the only filter Gemma 3 configs use and the only one implemented. */
export const RESAMPLE_BILINEAR = 2;

/**
 * Class defaults of the reference `Gemma3ImageProcessor` (size 224, not the 896 of released configs)
 * and the pan & scan defaults of the reference `Gemma3Processor` (256, 4, 1.2).
 */
export const DEFAULT_SETTINGS: ImageProcessorSettings = {
  doResize: true,
  size: { height: 224, width: 224 },
  doRescale: true,
  rescaleFactor: 1 / 255,
  doNormalize: true,
  imageMean: [0.5, 0.5, 0.5],
  imageStd: [0.5, 0.5, 0.5],
  doPanAndScan: false,
  panAndScanMinCropSize: 256,
  panAndScanMaxNumCrops: 4,
  panAndScanMinRatioToActivate: 1.2,
};

/** Largest output side accepted (the output alone is 12 * side^2 bytes per image: 768 MiB at 8192). */
export const MAX_OUTPUT_SIDE = 8192;

function positiveInteger(
  field: string,
  value: unknown,
  file?: string,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    throw new InvalidPreprocessorConfigError(
      field,
      `expected an integer in [1, ${max}], got ${JSON.stringify(value)}`,
      file,
    );
  }
  return value;
}

function finiteNumber(field: string, value: unknown, file?: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new InvalidPreprocessorConfigError(
      field,
      `expected a finite number, got ${JSON.stringify(value)}`,
      file,
    );
  }
  return value;
}

function bool(field: string, value: unknown, file?: string): boolean {
  if (typeof value !== 'boolean') {
    throw new InvalidPreprocessorConfigError(
      field,
      `expected true or false, got ${JSON.stringify(value)}`,
      file,
    );
  }
  return value;
}

function triple(field: string, value: unknown, file?: string): [number, number, number] {
  if (typeof value === 'number')
    return [value, value, value].map((v) => finiteNumber(field, v, file)) as [number, number, number];
  if (!Array.isArray(value) || value.length !== 3) {
    throw new InvalidPreprocessorConfigError(
      field,
      `expected a number or 3 numbers (RGB), got ${JSON.stringify(value)}`,
      file,
    );
  }
  return value.map((v, i) => finiteNumber(`${field}[${i}]`, v, file)) as [number, number, number];
}

function nonZero(field: string, values: readonly number[], file?: string): void {
  if (values.some((v) => v === 0))
    throw new InvalidPreprocessorConfigError(field, 'must not contain 0 (it divides)', file);
}

/** Validates a preprocessor_config.json-shaped object and fills unset (absent or null) fields with the defaults. */
export function resolvePreprocessorConfig(
  json: PreprocessorConfigJson,
  file?: string,
): ImageProcessorSettings {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new InvalidPreprocessorConfigError('(root)', 'expected a JSON object', file);
  }
  const d = DEFAULT_SETTINGS;
  const has = (v: unknown) => v !== undefined && v !== null;
  if (has(json.resample) && json.resample !== RESAMPLE_BILINEAR) {
    throw new InvalidPreprocessorConfigError(
      'resample',
      `only 2 (bilinear) is implemented, got ${JSON.stringify(json.resample)}`,
      file,
    );
  }
  if (json.do_convert_rgb === false) {
    throw new InvalidPreprocessorConfigError(
      'do_convert_rgb',
      'false is not supported: the vision tower needs 3 channels',
      file,
    );
  }
  let size = d.size;
  if (has(json.size)) {
    const s = json.size as Record<string, unknown>;
    if (typeof s !== 'object' || !('height' in s) || !('width' in s)) {
      throw new InvalidPreprocessorConfigError(
        'size',
        `expected { height, width }, got ${JSON.stringify(s)}`,
        file,
      );
    }
    size = {
      height: positiveInteger('size.height', s.height, file, MAX_OUTPUT_SIDE),
      width: positiveInteger('size.width', s.width, file, MAX_OUTPUT_SIDE),
    };
  }
  const imageStd = has(json.image_std) ? triple('image_std', json.image_std, file) : d.imageStd;
  nonZero('image_std', imageStd, file);
  const settings: ImageProcessorSettings = {
    doResize: has(json.do_resize) ? bool('do_resize', json.do_resize, file) : d.doResize,
    size,
    doRescale: has(json.do_rescale) ? bool('do_rescale', json.do_rescale, file) : d.doRescale,
    rescaleFactor: has(json.rescale_factor)
      ? finiteNumber('rescale_factor', json.rescale_factor, file)
      : d.rescaleFactor,
    doNormalize: has(json.do_normalize) ? bool('do_normalize', json.do_normalize, file) : d.doNormalize,
    imageMean: has(json.image_mean) ? triple('image_mean', json.image_mean, file) : d.imageMean,
    imageStd,
    doPanAndScan: has(json.do_pan_and_scan)
      ? bool('do_pan_and_scan', json.do_pan_and_scan, file)
      : d.doPanAndScan,
    panAndScanMinCropSize: has(json.pan_and_scan_min_crop_size)
      ? positiveInteger('pan_and_scan_min_crop_size', json.pan_and_scan_min_crop_size, file)
      : d.panAndScanMinCropSize,
    panAndScanMaxNumCrops: has(json.pan_and_scan_max_num_crops)
      ? positiveInteger('pan_and_scan_max_num_crops', json.pan_and_scan_max_num_crops, file)
      : d.panAndScanMaxNumCrops,
    panAndScanMinRatioToActivate: has(json.pan_and_scan_min_ratio_to_activate)
      ? finiteNumber('pan_and_scan_min_ratio_to_activate', json.pan_and_scan_min_ratio_to_activate, file)
      : d.panAndScanMinRatioToActivate,
  };
  return settings;
}

/** Applies per-call overrides (camelCase) on top of resolved settings, validating them like the file. */
export function applyOverrides(
  base: ImageProcessorSettings,
  options: PreprocessOptions,
): ImageProcessorSettings {
  const merged: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    if (value !== undefined && key in DEFAULT_SETTINGS) merged[key] = value;
  }
  if (Object.keys(merged).length === 0) return base;
  const next = { ...base, ...merged } as ImageProcessorSettings;
  // Re-validate through the JSON path so overrides get the same checks and errors.
  return resolvePreprocessorConfig(
    {
      do_resize: next.doResize,
      size: next.size,
      do_rescale: next.doRescale,
      rescale_factor: next.rescaleFactor,
      do_normalize: next.doNormalize,
      image_mean: next.imageMean,
      image_std: next.imageStd,
      do_pan_and_scan: next.doPanAndScan,
      pan_and_scan_min_crop_size: next.panAndScanMinCropSize,
      pan_and_scan_max_num_crops: next.panAndScanMaxNumCrops,
      pan_and_scan_min_ratio_to_activate: next.panAndScanMinRatioToActivate,
    },
    'preprocess options',
  );
}

export function resolveLimits(
  options: PreprocessOptions,
  base: ImageLimits = DEFAULT_IMAGE_LIMITS,
): ImageLimits {
  const maxPixels = options.maxPixels ?? base.maxPixels;
  const maxBytes = options.maxBytes ?? base.maxBytes;
  positiveInteger('maxPixels', maxPixels, 'preprocess options');
  positiveInteger('maxBytes', maxBytes, 'preprocess options');
  return { maxPixels, maxBytes };
}
