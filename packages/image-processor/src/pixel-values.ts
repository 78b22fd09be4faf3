import type { ImageProcessorSettings } from './settings.js';

/** Model input: float32 [N, 3, H, W], N = images plus their crops, in order (each image, then its crops). */
export interface PixelValues {
  readonly data: Float32Array;
  readonly dims: readonly [number, number, number, number];
}

/** Per channel, the float32 value each uint8 level becomes: [3, 256]. */
export type ChannelLut = Float32Array;

const f32 = Math.fround;

/**
 * The reference PIL backend's arithmetic: rescale as `float32(float64(v) * rescale_factor)`, then
 * numpy's float32 `(x - mean) / std`. A 256-entry table per channel gives identical bits.
 */
export function pilBackendLut(s: ImageProcessorSettings): ChannelLut {
  const lut = new Float32Array(3 * 256);
  for (let c = 0; c < 3; c++) {
    const mean = f32(s.imageMean[c]!);
    const std = f32(s.imageStd[c]!);
    for (let v = 0; v < 256; v++) {
      let x = s.doRescale ? f32(v * s.rescaleFactor) : v;
      if (s.doNormalize) x = f32(f32(x - mean) / std);
      lut[c * 256 + v] = x;
    }
  }
  return lut;
}

/**
 * The reference torchvision backend's arithmetic: rescale is fused into normalize as
 * `(v - mean * 255) / (std * 255)` in float32 (mean/std scaled by float32(1 / rescale_factor)).
 */
export function torchvisionBackendLut(s: ImageProcessorSettings): ChannelLut {
  const lut = new Float32Array(3 * 256);
  const inv = f32(1 / s.rescaleFactor);
  for (let c = 0; c < 3; c++) {
    let mean = f32(s.imageMean[c]!);
    let std = f32(s.imageStd[c]!);
    if (s.doRescale && s.doNormalize) {
      mean = f32(mean * inv);
      std = f32(std * inv);
    }
    for (let v = 0; v < 256; v++) {
      let x: number = v;
      if (s.doNormalize) x = f32(f32(v - mean) / std);
      else if (s.doRescale) x = f32(v * f32(s.rescaleFactor));
      lut[c * 256 + v] = x;
    }
  }
  return lut;
}

/** Writes [H, W, 3] uint8 pixels as [3, H, W] float32 at `offset` of `out`. */
export function writeChannelsFirst(
  rgb: Uint8Array,
  width: number,
  height: number,
  lut: ChannelLut,
  out: Float32Array,
  offset: number,
): void {
  const plane = width * height;
  for (let i = 0, p = 0; i < plane; i++, p += 3) {
    out[offset + i] = lut[rgb[p]!]!;
    out[offset + plane + i] = lut[256 + rgb[p + 1]!]!;
    out[offset + 2 * plane + i] = lut[512 + rgb[p + 2]!]!;
  }
}
