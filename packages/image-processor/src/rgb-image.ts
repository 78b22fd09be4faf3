import type { RawImageInput } from './image-input.js';

/** 8-bit RGB pixels, interleaved: data is [height, width, 3]. */
export interface RgbImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/**
 * PIL's `convert("RGB")` for 8-bit layouts: grey is replicated, alpha is dropped (not composited: a
 * transparent pixel keeps whatever colour it stores).
 */
export function toRgb(image: RawImageInput): RgbImage {
  const { width, height, channels, data } = image;
  const n = width * height;
  if (channels === 3)
    return { width, height, data: data instanceof Uint8Array ? data : new Uint8Array(data) };
  const out = new Uint8Array(n * 3); // [H, W, 3]
  for (let i = 0, o = 0, p = 0; i < n; i++, o += 3, p += channels) {
    if (channels === 4) {
      out[o] = data[p]!;
      out[o + 1] = data[p + 1]!;
      out[o + 2] = data[p + 2]!;
    } else {
      const v = data[p]!;
      out[o] = v;
      out[o + 1] = v;
      out[o + 2] = v;
    }
  }
  return { width, height, data: out };
}

/** PIL's `I;16` -> RGB: each 16-bit grey value is clipped to 255 (not scaled), then replicated. */
export function grey16ToRgb(width: number, height: number, data: Uint16Array): RgbImage {
  const out = new Uint8Array(width * height * 3); // [H, W, 3]
  for (let i = 0, o = 0; i < data.length; i++, o += 3) {
    const v = Math.min(data[i]!, 255);
    out[o] = v;
    out[o + 1] = v;
    out[o + 2] = v;
  }
  return { width, height, data: out };
}

/** `(a * b + 128) / 255` rounded the way Pillow's MULDIV255 does. */
function mulDiv255(a: number, b: number): number {
  const t = a * b + 128;
  return ((t >> 8) + t) >> 8;
}

/** PIL's CMYK -> RGB (`cmyk2rgb`): R = (255 - K) - (C * (255 - K)) / 255, no colour management. */
export function cmykToRgb(width: number, height: number, data: Uint8Array): RgbImage {
  const n = width * height;
  const out = new Uint8Array(n * 3); // [H, W, 3]
  for (let i = 0, o = 0, p = 0; i < n; i++, o += 3, p += 4) {
    const nk = 255 - data[p + 3]!;
    out[o] = nk - mulDiv255(data[p]!, nk);
    out[o + 1] = nk - mulDiv255(data[p + 1]!, nk);
    out[o + 2] = nk - mulDiv255(data[p + 2]!, nk);
  }
  return { width, height, data: out };
}
