import { Fields } from './fields.js';
import { CONFIG_LIMITS as L } from './limits.js';

/**
 * preprocessor_config.json (Gemma3ImageProcessor) merged with processor_config.json (Gemma3Processor),
 * with the file's field names. Null or absent fields take the defaults of transformers 5.18: the image
 * processor's class attributes (size 224x224, mean/std 0.5, bilinear, rescale 1/255, normalize, convert
 * to RGB) and, for pan & scan, `Gemma3ProcessorKwargs._defaults` (off, min crop 256, max 4 crops,
 * min ratio 1.2).
 */
export interface Gemma3ProcessorConfig {
  readonly size: { readonly height: number; readonly width: number };
  readonly do_resize: boolean;
  /** PIL resampling filter id: 0 nearest, 1 lanczos, 2 bilinear, 3 bicubic, 4 box, 5 hamming. */
  readonly resample: number;
  readonly do_rescale: boolean;
  readonly rescale_factor: number;
  readonly do_normalize: boolean;
  readonly image_mean: readonly [number, number, number];
  readonly image_std: readonly [number, number, number];
  readonly do_convert_rgb: boolean;
  /** `<image_soft_token>`s per image in the prompt (processor_config.json wins over preprocessor_config.json). */
  readonly image_seq_length: number;
  readonly do_pan_and_scan: boolean;
  readonly pan_and_scan_min_crop_size: number;
  readonly pan_and_scan_max_num_crops: number;
  readonly pan_and_scan_min_ratio_to_activate: number;
}

export const GEMMA3_PROCESSOR_DEFAULTS: Gemma3ProcessorConfig = {
  size: { height: 224, width: 224 },
  do_resize: true,
  resample: 2,
  do_rescale: true,
  rescale_factor: 1 / 255,
  do_normalize: true,
  image_mean: [0.5, 0.5, 0.5],
  image_std: [0.5, 0.5, 0.5],
  do_convert_rgb: true,
  image_seq_length: 256,
  do_pan_and_scan: false,
  pan_and_scan_min_crop_size: 256,
  pan_and_scan_max_num_crops: 4,
  pan_and_scan_min_ratio_to_activate: 1.2,
};

const D = GEMMA3_PROCESSOR_DEFAULTS;
const MAX_SEQ = 1 << 16;

/**
 * Parses preprocessor_config.json contents (`json`, named `source` in errors) and, when given,
 * processor_config.json contents (`processorJson`, named `processorSource`).
 */
export function parsePreprocessorConfig(
  json: unknown,
  source: string,
  processorJson?: unknown,
  processorSource = 'processor_config.json',
): Gemma3ProcessorConfig {
  const f = Fields.of(json, source, '', true);
  const size = f.object('size');
  const height = size ? size.int('height', undefined, 1, L.maxImageSize) : D.size.height;
  const width = size ? size.int('width', undefined, 1, L.maxImageSize) : D.size.width;
  let image_seq_length = f.int('image_seq_length', D.image_seq_length, 1, MAX_SEQ);
  if (processorJson !== undefined) {
    const p = Fields.of(processorJson, processorSource, '', true);
    image_seq_length = p.int('image_seq_length', image_seq_length, 1, MAX_SEQ);
  }
  const std = f.numberList('image_std', D.image_std, 3, -1e6, 1e6);
  std.forEach((s, i) => {
    if (s === 0) f.fail(`image_std[${i}]`, 'must not be 0');
  });
  return {
    size: { height, width },
    do_resize: f.bool('do_resize', D.do_resize),
    resample: f.int('resample', D.resample, 0, 5),
    do_rescale: f.bool('do_rescale', D.do_rescale),
    rescale_factor: f.number('rescale_factor', D.rescale_factor, 0, 1e6, true),
    do_normalize: f.bool('do_normalize', D.do_normalize),
    image_mean: f.numberList('image_mean', D.image_mean, 3, -1e6, 1e6) as unknown as [number, number, number],
    image_std: std as unknown as [number, number, number],
    do_convert_rgb: f.bool('do_convert_rgb', D.do_convert_rgb),
    image_seq_length,
    do_pan_and_scan: f.bool('do_pan_and_scan', D.do_pan_and_scan),
    pan_and_scan_min_crop_size: f.int(
      'pan_and_scan_min_crop_size',
      D.pan_and_scan_min_crop_size,
      1,
      L.maxImageSize,
    ),
    pan_and_scan_max_num_crops: f.int('pan_and_scan_max_num_crops', D.pan_and_scan_max_num_crops, 1, 64),
    pan_and_scan_min_ratio_to_activate: f.number(
      'pan_and_scan_min_ratio_to_activate',
      D.pan_and_scan_min_ratio_to_activate,
      1,
      1e6,
    ),
  };
}
