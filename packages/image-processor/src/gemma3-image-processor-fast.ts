import type { Sharp } from 'sharp';
import { decodeToRgb, inspectImage, loadSharp, runSharp } from './decode-image.js';
import { InvalidPreprocessorConfigError } from './errors/invalid-preprocessor-config-error.js';
import type { ImageProcessorConstructorOptions } from './gemma3-image-processor.js';
import { cropRgb, toImageList } from './gemma3-image-processor.js';
import { type ImageInput, type ImageLimits, loadImage } from './image-input.js';
import { type CropBox, panAndScanCrops } from './pan-and-scan.js';
import { torchvisionBackendLut } from './pixel-values.js';
import type { ImageProcessorOutput, ResizedPiece } from './processor-output.js';
import { stackPieces } from './processor-output.js';
import { readPreprocessorConfig } from './read-preprocessor-config.js';
import { type RgbImage, toRgb } from './rgb-image.js';
import {
  applyOverrides,
  type ImageProcessorSettings,
  type PreprocessOptions,
  type PreprocessorConfigJson,
  resolveLimits,
  resolvePreprocessorConfig,
} from './settings.js';
import { torchvisionBilinearResize } from './torchvision-bilinear-resize.js';

/**
 * Images and crops of at most this many pixels are resized by the TypeScript copy of torchvision's
 * resize (exact); larger ones by libvips. Measured on the shared 2-core box under load: 2 to 4 ms for
 * the TypeScript resize of 1400x300 -> 64x64, but 50 ms for 1024x768 -> 896x896 (libvips: 12 ms) and
 * 100 to 300 ms for a 4000x3000 photo (libvips with JPEG shrink-on-load: ~40 ms decode included).
 */
export const DEFAULT_EXACT_RESIZE_MAX_PIXELS = 500_000;

export interface FastImageProcessorOptions extends ImageProcessorConstructorOptions {
  /**
   * Up to this many pixels (width x height of the image, or of each pan & scan crop), resizing
   * reproduces the reference torchvision backend bit for bit (a TypeScript copy of its resize); above
   * it, libvips resizes (several times faster on large images, within a few uint8 levels: see the
   * README). Default DEFAULT_EXACT_RESIZE_MAX_PIXELS; `Infinity` for exact everywhere, 0 for libvips
   * everywhere.
   */
  readonly exactResizeMaxPixels?: number;
}

/**
 * Gemma 3 image processor, "fast" backend, following the reference's torchvision backend
 * (`Gemma3ImageProcessor`): images up to `exactResizeMaxPixels` are resized by a TypeScript copy of
 * torchvision's resize (bit for bit); larger ones by libvips (through `sharp`: bilinear kernel,
 * antialiased when shrinking, JPEG shrink-on-load), close to it and several times faster. Same
 * interface and output layout as the slow `Gemma3ImageProcessor` (see the README for measured errors).
 */
export class Gemma3ImageProcessorFast {
  readonly settings: ImageProcessorSettings;
  readonly limits: ImageLimits;
  readonly exactResizeMaxPixels: number;

  constructor(config: PreprocessorConfigJson = {}, options: FastImageProcessorOptions = {}) {
    this.settings = resolvePreprocessorConfig(config);
    this.limits = resolveLimits(options.limits ?? {});
    const exact = options.exactResizeMaxPixels ?? DEFAULT_EXACT_RESIZE_MAX_PIXELS;
    if (typeof exact !== 'number' || Number.isNaN(exact) || exact < 0) {
      throw new InvalidPreprocessorConfigError(
        'exactResizeMaxPixels',
        `must be a number >= 0 (Infinity allowed), got ${String(exact)}`,
        'Gemma3ImageProcessorFast options',
      );
    }
    this.exactResizeMaxPixels = exact;
  }

  static async fromPretrained(
    dir: string,
    options: FastImageProcessorOptions = {},
  ): Promise<Gemma3ImageProcessorFast> {
    const { json, file } = await readPreprocessorConfig(dir);
    resolvePreprocessorConfig(json, file);
    return new Gemma3ImageProcessorFast(json, options);
  }

  async preprocess(
    images: ImageInput | readonly ImageInput[],
    options: PreprocessOptions = {},
  ): Promise<ImageProcessorOutput> {
    const settings = applyOverrides(this.settings, options);
    const limits = resolveLimits(options, this.limits);
    const list = toImageList(images);
    // One image at a time (bounded memory); an image's crops are resized concurrently.
    const perImage: { pieces: ResizedPiece[]; numCrops: number }[] = [];
    for (let i = 0; i < list.length; i++) {
      perImage.push(await this.processOne(list[i]!, i, settings, limits, options.fetch));
    }
    const pieces = perImage.flatMap((r) => r.pieces);
    return {
      pixelValues: stackPieces(pieces, torchvisionBackendLut(settings)),
      numCrops: perImage.map((r) => r.numCrops),
    };
  }

  private async processOne(
    input: ImageInput,
    index: number,
    settings: ImageProcessorSettings,
    limits: ImageLimits,
    fetchImpl: typeof fetch | undefined,
  ): Promise<{ pieces: ResizedPiece[]; numCrops: number }> {
    const loaded = await loadImage(input, index, { limits, fetch: fetchImpl });
    const sharp = await loadSharp();
    const { width: outW, height: outH } = settings.size;
    if (loaded.kind === 'encoded' && !settings.doPanAndScan && settings.doResize) {
      const header = await inspectImage(loaded.bytes, loaded.source, limits);
      // CMYK, 16-bit grey and transparent GIFs need PIL's conversion rules (see decodeToRgb); images
      // small enough for the exact resize are decoded with those rules too.
      const plain =
        header.width * header.height > this.exactResizeMaxPixels &&
        header.space !== 'cmyk' &&
        !(header.depth === 'ushort' && header.channels === 1) &&
        !(header.format === 'gif' && header.channels === 4);
      if (plain) {
        // One libvips pipeline from the encoded bytes: orient, drop alpha, grey -> sRGB, shrink the
        // axes that shrink; axes that grow are finished in TypeScript (see resizeBox).
        const shrinkW = Math.min(outW, header.width);
        const shrinkH = Math.min(outH, header.height);
        let pipeline = sharp(loaded.bytes, {
          failOn: 'truncated',
          limitInputPixels: limits.maxPixels,
          pages: 1,
        })
          .autoOrient()
          .removeAlpha()
          .toColourspace('srgb');
        if (shrinkW !== header.width || shrinkH !== header.height) {
          pipeline = pipeline.resize(shrinkW, shrinkH, { fit: 'fill', kernel: 'linear' });
        }
        return { pieces: [growTo(await toPiece(pipeline.raw(), loaded.source), outW, outH)], numCrops: 0 };
      }
    }
    // Decode once to RGB (PIL's conversion rules), then crop and resize from the raw pixels.
    const rgb: RgbImage =
      loaded.kind === 'raw' ? toRgb(loaded.image) : await decodeToRgb(loaded.bytes, loaded.source, limits);
    const crops = settings.doPanAndScan
      ? panAndScanCrops(rgb.width, rgb.height, {
          minCropSize: settings.panAndScanMinCropSize,
          maxNumCrops: settings.panAndScanMaxNumCrops,
          minRatioToActivate: settings.panAndScanMinRatioToActivate,
        })
      : [];
    const full: CropBox = { left: 0, top: 0, width: rgb.width, height: rgb.height };
    // As the torchvision reference: with pan & scan, the image and its crops are always resized.
    const resize = settings.doResize || settings.doPanAndScan;
    const pieces = await Promise.all(
      [full, ...crops].map((box) =>
        resize
          ? resizeBox(rgb, box, outW, outH, loaded.source, this.exactResizeMaxPixels)
          : Promise.resolve(rgb),
      ),
    );
    return { pieces, numCrops: crops.length };
  }
}

/**
 * Crops `box` out of `rgb` and resizes it to outW x outH: with the exact TypeScript copy of torchvision's
 * resize up to `exactMaxPixels`, else through libvips for the axes that shrink (linear kernel, support
 * widened by the shrink factor like the reference's antialiased resize; it differs from torchvision at
 * the borders, where libvips repeats the edge pixel and torchvision renormalises the cut kernel, and
 * where it shrinks 4x or more, which libvips starts with a box filter). Axes that grow go through the
 * TypeScript resampler: libvips's enlarging path is not centre-aligned the way PIL and torchvision are
 * (measured mean errors of 4 to 38 uint8 levels on enlarged noise), and an axis that grows is at most
 * outW/outH pixels long, so this costs little.
 */
async function resizeBox(
  rgb: RgbImage,
  box: CropBox,
  outW: number,
  outH: number,
  source: string,
  exactMaxPixels: number,
): Promise<ResizedPiece> {
  if (box.width * box.height <= exactMaxPixels) {
    const resized = torchvisionBilinearResize({ ...cropRgb(rgb, box), channels: 3 }, outW, outH);
    return { width: resized.width, height: resized.height, data: resized.data };
  }
  const sharp = await loadSharp();
  const shrinkW = Math.min(outW, box.width);
  const shrinkH = Math.min(outH, box.height);
  let piece: ResizedPiece;
  const whole = box.left === 0 && box.top === 0 && box.width === rgb.width && box.height === rgb.height;
  if (shrinkW === box.width && shrinkH === box.height) {
    piece = whole ? rgb : cropRgb(rgb, box);
  } else {
    let pipeline = sharp(rgb.data, { raw: { width: rgb.width, height: rgb.height, channels: 3 } });
    if (!whole) pipeline = pipeline.extract(box);
    piece = await toPiece(pipeline.resize(shrinkW, shrinkH, { fit: 'fill', kernel: 'linear' }).raw(), source);
  }
  return growTo(piece, outW, outH);
}

/** Finishes enlarged axes with the TypeScript torchvision resampler (identity when already outW x outH). */
function growTo(piece: ResizedPiece, outW: number, outH: number): ResizedPiece {
  if (piece.width === outW && piece.height === outH) return piece;
  const grown = torchvisionBilinearResize({ ...piece, channels: 3 }, outW, outH);
  return { width: grown.width, height: grown.height, data: grown.data };
}

async function toPiece(pipeline: Sharp, source: string): Promise<ResizedPiece> {
  const { data, info } = await runSharp(pipeline, source);
  return {
    width: info.width,
    height: info.height,
    data: new Uint8Array(data.buffer, data.byteOffset, data.length),
  };
}
