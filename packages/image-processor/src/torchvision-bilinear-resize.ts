import {
  type AxisWeights,
  bilinearAxisFloatWeights,
  type Interleaved8,
  quantizeWeights,
  resampleSeparable,
} from './pil-bilinear-resize.js';

/**
 * torchvision's antialiased bilinear resize of uint8 images (`F.resize(..., antialias=True)`, the
 * reference torchvision backend's resize), reproduced bit for bit. PyTorch's CPU kernel for uint8
 * (`upsample_avx_bilinear_uint8`, `_compute_indices_int16_weights_aa` in aten/src/ATen/native/cpu/
 * UpSampleKernel.cpp) is a port of Pillow-SIMD: the same weights in double as Pillow, the same
 * horizontal-then-vertical passes rounded to uint8, but the weights are stored as int16 with a
 * precision chosen per axis, the largest number of fractional bits (at most 22) for which
 * `round(maxWeight * 2^(bits + 1))` still fits under 2^15. Pillow always uses 22 bits, so both
 * round differently: measured up to 2 uint8 levels apart on the committed fixtures.
 */

const MAX_PRECISION = 22;

/** The loop of `_compute_indices_int16_weights_aa` that picks the weights' fractional bits. */
export function torchvisionWeightsPrecision(maxWeight: number): number {
  let precision = 0;
  for (; precision < MAX_PRECISION; precision++) {
    // C's `(int) (0.5 + w_max * (1 << (weights_precision + 1)))`, truncating toward zero.
    const next = Math.trunc(0.5 + maxWeight * 2 ** (precision + 1));
    if (next >= 1 << 15) break;
  }
  return precision;
}

/** torchvision's int16 fixed-point weights for one axis. */
export function torchvisionAxisWeights(inSize: number, outSize: number): AxisWeights {
  const axis = bilinearAxisFloatWeights(inSize, outSize);
  // The reference scans the first outSize * kernelSize doubles (unused taps are 0), starting from the first.
  let maxWeight = axis.weights[0]!;
  for (const w of axis.weights) if (w > maxWeight) maxWeight = w;
  return quantizeWeights(axis, torchvisionWeightsPrecision(maxWeight));
}

/** Resizes like torchvision's `F.resize(uint8Tensor, [outHeight, outWidth], BILINEAR, antialias=True)`. */
export function torchvisionBilinearResize(
  image: Interleaved8,
  outWidth: number,
  outHeight: number,
): Interleaved8 {
  return resampleSeparable(image, outWidth, outHeight, torchvisionAxisWeights);
}
