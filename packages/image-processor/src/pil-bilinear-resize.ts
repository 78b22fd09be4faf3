/**
 * PIL's bilinear resample (Pillow `libImaging/Resample.c`, `ImagingResample` with the triangle filter),
 * reproduced bit for bit on 8-bit interleaved images:
 * - separable: a horizontal pass over the rows the vertical pass needs, rounded to uint8, then a
 *   vertical pass (each pass is skipped when that axis keeps its size);
 * - when downscaling, the filter support is scaled by the scale factor (antialiasing);
 * - weights are computed in double, normalised to sum 1, then converted to fixed point with 22
 *   fractional bits (round half away from zero); each output is `(0.5 + sum(w * px)) >> 22` clamped
 *   to [0, 255].
 */

const PRECISION_BITS = 32 - 8 - 2;
const HALF = 1 << (PRECISION_BITS - 1);
const ONE = 1 << PRECISION_BITS;

/** Fixed-point weights for one axis: output i reads `size[i]` inputs from `start[i]`. */
export interface AxisWeights {
  readonly kernelSize: number;
  readonly start: Int32Array;
  readonly size: Int32Array;
  /** [outSize, kernelSize] fixed-point weights. */
  readonly weights: Int32Array;
}

function triangle(x: number): number {
  const ax = x < 0 ? -x : x;
  return ax < 1 ? 1 - ax : 0;
}

/** Mirrors `precompute_coeffs` + `normalize_coeffs_8bpc` for a box covering the whole input axis. */
export function bilinearAxisWeights(inSize: number, outSize: number): AxisWeights {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = 1 * filterScale;
  const kernelSize = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(outSize);
  const size = new Int32Array(outSize);
  const weights = new Int32Array(outSize * kernelSize);
  const w = new Float64Array(kernelSize);
  const invFilterScale = 1 / filterScale;
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    // C casts truncate toward zero.
    let xmin = Math.trunc(center - support + 0.5);
    if (xmin < 0) xmin = 0;
    let xmax = Math.trunc(center + support + 0.5);
    if (xmax > inSize) xmax = inSize;
    xmax -= xmin;
    let total = 0;
    for (let x = 0; x < xmax; x++) {
      const value = triangle((x + xmin - center + 0.5) * invFilterScale);
      w[x] = value;
      total += value;
    }
    for (let x = 0; x < xmax; x++) {
      const normalised = total !== 0 ? w[x]! / total : w[x]!;
      weights[xx * kernelSize + x] =
        normalised < 0 ? Math.trunc(-0.5 + normalised * ONE) : Math.trunc(0.5 + normalised * ONE);
    }
    start[xx] = xmin;
    size[xx] = xmax;
  }
  return { kernelSize, start, size, weights };
}

/** `sum >> 22` clamped to uint8. Sums stay below 2^31 (weights are >= 0 and add up to ~2^22), as in Pillow. */
function clip8(sum: number): number {
  const v = sum >> PRECISION_BITS;
  return v < 0 ? 0 : Math.min(v, 255);
}

/** An 8-bit image, channels interleaved: data is [height, width, channels]. */
export interface Interleaved8 {
  readonly width: number;
  readonly height: number;
  readonly channels: number;
  readonly data: Uint8Array;
}

/** Resizes like `PIL.Image.resize((outWidth, outHeight), Image.BILINEAR)`. */
export function pilBilinearResize(image: Interleaved8, outWidth: number, outHeight: number): Interleaved8 {
  const { width, height, channels } = image;
  if (outWidth === width && outHeight === height) {
    return { width, height, channels, data: image.data.slice() };
  }
  const needHorizontal = outWidth !== width;
  const needVertical = outHeight !== height;
  const horiz = bilinearAxisWeights(width, outWidth);
  const vert = bilinearAxisWeights(height, outHeight);

  let source = image;
  let vertStart = vert.start;
  if (needHorizontal) {
    // Only the rows the vertical pass reads: [first, last).
    const first = vert.start[0]!;
    const last = vert.start[outHeight - 1]! + vert.size[outHeight - 1]!;
    const rows = needVertical ? last - first : height;
    const rowOffset = needVertical ? first : 0;
    const temp = new Uint8Array(rows * outWidth * channels); // [rows, outWidth, C]
    horizontalPass(image, rowOffset, rows, horiz, outWidth, temp);
    source = { width: outWidth, height: rows, channels, data: temp };
    if (needVertical) {
      vertStart = vert.start.map((s) => s - first);
    }
  }
  if (!needVertical) return source;
  const out = new Uint8Array(outHeight * outWidth * channels); // [outHeight, outWidth, C]
  verticalPass(source, { ...vert, start: vertStart }, outHeight, out);
  return { width: outWidth, height: outHeight, channels, data: out };
}

function horizontalPass(
  image: Interleaved8,
  rowOffset: number,
  rows: number,
  axis: AxisWeights,
  outWidth: number,
  out: Uint8Array,
): void {
  const { width, channels, data } = image;
  const { kernelSize, start, size, weights } = axis;
  const inRow = width * channels;
  const outRow = outWidth * channels;
  for (let y = 0; y < rows; y++) {
    const inBase = (y + rowOffset) * inRow;
    const outBase = y * outRow;
    for (let xx = 0; xx < outWidth; xx++) {
      const n = size[xx]!;
      const k = xx * kernelSize;
      const first = inBase + start[xx]! * channels;
      const o = outBase + xx * channels;
      if (channels === 3) {
        // The common case, channels summed together in one pass over the taps.
        let r = HALF;
        let g = HALF;
        let b = HALF;
        for (let x = 0, p = first; x < n; x++, p += 3) {
          const w = weights[k + x]!;
          r += data[p]! * w;
          g += data[p + 1]! * w;
          b += data[p + 2]! * w;
        }
        out[o] = clip8(r);
        out[o + 1] = clip8(g);
        out[o + 2] = clip8(b);
        continue;
      }
      for (let c = 0; c < channels; c++) {
        let sum = HALF;
        for (let x = 0, p = first + c; x < n; x++, p += channels) sum += data[p]! * weights[k + x]!;
        out[o + c] = clip8(sum);
      }
    }
  }
}

/** Row by row: each output row is a weighted sum of whole input rows (sequential memory access). */
function verticalPass(image: Interleaved8, axis: AxisWeights, outHeight: number, out: Uint8Array): void {
  const { width, channels, data } = image;
  const { kernelSize, start, size, weights } = axis;
  const row = width * channels;
  const acc = new Int32Array(row); // sums stay below 2^31 (see clip8)
  const clamped = new Uint8ClampedArray(out.buffer, out.byteOffset, out.length);
  for (let yy = 0; yy < outHeight; yy++) {
    const ymin = start[yy]!;
    const n = size[yy]!;
    const k = yy * kernelSize;
    acc.fill(HALF);
    for (let y = 0; y < n; y++) {
      const w = weights[k + y]!;
      const base = (ymin + y) * row;
      for (let i = 0; i < row; i++) acc[i] += data[base + i]! * w;
    }
    const outBase = yy * row;
    // A Uint8ClampedArray store clamps to [0, 255], which is clip8 for these integer values.
    for (let i = 0; i < row; i++) clamped[outBase + i] = acc[i]! >> PRECISION_BITS;
  }
}
