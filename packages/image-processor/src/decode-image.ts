import type { Metadata, Sharp, SharpOptions } from 'sharp';
import { ImageDecodeError } from './errors/image-decode-error.js';
import { ImageTooLargeError } from './errors/image-too-large-error.js';
import { UnsupportedImageError } from './errors/unsupported-image-error.js';
import { gifTransparentColour } from './gif-transparency.js';
import type { ImageLimits } from './image-input.js';
import { cmykToRgb, grey16ToRgb, type RgbImage, toRgb } from './rgb-image.js';

export const SUPPORTED_FORMATS = ['jpeg', 'png', 'webp', 'gif'] as const;

type SharpFactory = (input?: Uint8Array, options?: SharpOptions) => Sharp;
let sharpModule: Promise<SharpFactory> | undefined;

/** `sharp` is loaded on first use only: raw-pixel inputs to the slow processor never load it. */
export function loadSharp(): Promise<SharpFactory> {
  sharpModule ??= import('sharp').then((m) => m.default as unknown as SharpFactory);
  return sharpModule;
}

/** What the header says, checked: a supported format, non-zero size, within the pixel limit. */
export interface ImageHeader {
  readonly format: (typeof SUPPORTED_FORMATS)[number];
  /** Size after EXIF orientation. */
  readonly width: number;
  readonly height: number;
  readonly channels: number;
  readonly space: string;
  readonly depth: string;
  readonly pages: number;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message.split('\n')[0]! : String(error);
}

function sharpOptions(limits: ImageLimits): SharpOptions {
  // failOn 'truncated' turns a cut-off JPEG/PNG into an error instead of grey/black rows;
  // limitInputPixels is a second guard behind the header check.
  return { failOn: 'truncated', limitInputPixels: limits.maxPixels, pages: 1, page: 0 };
}

/** Reads the header only (no pixel decoding) and refuses bombs, empty and unsupported images. */
export async function inspectImage(
  bytes: Uint8Array,
  source: string,
  limits: ImageLimits,
): Promise<ImageHeader> {
  if (bytes.length === 0) throw new ImageDecodeError(source, 'empty input (0 bytes)');
  const sharp = await loadSharp();
  let meta: Metadata;
  try {
    // limitInputPixels: false here so that an oversized header reaches our own typed check below.
    meta = await sharp(bytes, { ...sharpOptions(limits), limitInputPixels: false }).metadata();
  } catch (cause) {
    const message = describe(cause);
    if (/unsupported image format/i.test(message)) {
      throw new UnsupportedImageError(source, 'format (not recognised)', SUPPORTED_FORMATS.join(', '));
    }
    throw new ImageDecodeError(source, message, cause);
  }
  const format = meta.format as string | undefined;
  if (format === undefined || !(SUPPORTED_FORMATS as readonly string[]).includes(format)) {
    throw new UnsupportedImageError(source, `format ${format ?? 'unknown'}`, SUPPORTED_FORMATS.join(', '));
  }
  const width = meta.autoOrient?.width ?? meta.width ?? 0;
  const height = meta.autoOrient?.height ?? meta.height ?? 0;
  if (width <= 0 || height <= 0) throw new ImageDecodeError(source, `zero-sized image (${width}x${height})`);
  if (width * height > limits.maxPixels) {
    throw new ImageTooLargeError(source, 'pixels', width * height, limits.maxPixels, width, height);
  }
  const space = meta.space ?? 'srgb';
  if (!['srgb', 'rgb', 'b-w', 'grey16', 'rgb16', 'cmyk'].includes(space)) {
    throw new UnsupportedImageError(source, `colourspace ${space}`, 'sRGB, greyscale, CMYK');
  }
  return {
    format: format as ImageHeader['format'],
    width,
    height,
    channels: meta.channels ?? 3,
    space,
    depth: meta.depth ?? 'uchar',
    pages: meta.pages ?? 1,
  };
}

/** Runs a sharp pipeline, turning its failures into typed errors. */
export async function runSharp(
  pipeline: Sharp,
  source: string,
): Promise<{ data: Buffer; info: { width: number; height: number; channels: number } }> {
  try {
    return await pipeline.toBuffer({ resolveWithObject: true });
  } catch (cause) {
    throw new ImageDecodeError(source, describe(cause), cause);
  }
}

/**
 * Decodes the first frame to RGB exactly as transformers' `load_image` does with PIL:
 * `ImageOps.exif_transpose` then `convert("RGB")`. libvips decodes; the conversion rules are PIL's:
 * alpha dropped (not composited), grey replicated, palette looked up, 16-bit grey clipped to 255
 * (PIL's `I;16` -> RGB), other 16-bit layouts reduced to their high byte, CMYK by PIL's naive formula.
 */
export async function decodeToRgb(bytes: Uint8Array, source: string, limits: ImageLimits): Promise<RgbImage> {
  const header = await inspectImage(bytes, source, limits);
  const sharp = await loadSharp();
  const base = sharp(bytes, sharpOptions(limits)).autoOrient();
  if (header.space === 'cmyk') {
    const { data, info } = await runSharp(
      base.pipelineColourspace('cmyk').toColourspace('cmyk').raw(),
      source,
    );
    return cmykToRgb(info.width, info.height, new Uint8Array(data.buffer, data.byteOffset, data.length));
  }
  if (header.depth === 'ushort' && header.channels === 1) {
    const { data, info } = await runSharp(base.toColourspace('grey16').raw({ depth: 'ushort' }), source);
    const aligned = data.byteOffset % 2 === 0 ? data : Buffer.from(data);
    const values = new Uint16Array(aligned.buffer, aligned.byteOffset, aligned.length / 2);
    return grey16ToRgb(info.width, info.height, values);
  }
  const { data, info } = await runSharp(base.raw(), source);
  const channels = info.channels as 1 | 2 | 3 | 4;
  if (header.format === 'gif' && channels === 4) paintGifTransparency(bytes, data);
  return toRgb({
    width: info.width,
    height: info.height,
    channels,
    data: new Uint8Array(data.buffer, data.byteOffset, data.length),
  });
}

/** Gives transparent GIF pixels (alpha 0 from libvips) the palette colour PIL gives them. */
function paintGifTransparency(bytes: Uint8Array, rgba: Uint8Array): void {
  const colour = gifTransparentColour(bytes);
  if (colour === null) return;
  for (let p = 0; p < rgba.length; p += 4) {
    if (rgba[p + 3] === 0) {
      rgba[p] = colour[0];
      rgba[p + 1] = colour[1];
      rgba[p + 2] = colour[2];
    }
  }
}
