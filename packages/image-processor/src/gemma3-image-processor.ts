import { decodeToRgb } from './decode-image.js';
import { type ImageInput, type ImageLimits, loadImage } from './image-input.js';
import type { CropBox } from './pan-and-scan.js';
import { panAndScanCrops } from './pan-and-scan.js';
import { pilBilinearResize } from './pil-bilinear-resize.js';
import { pilBackendLut } from './pixel-values.js';
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

export interface ImageProcessorConstructorOptions {
  /** Defaults for `maxPixels`/`maxBytes` (each call can override them). */
  readonly limits?: Partial<ImageLimits>;
}

/** Accepts one image or an array of images. */
export function toImageList(images: ImageInput | readonly ImageInput[]): readonly ImageInput[] {
  if (Array.isArray(images)) return images;
  return [images as ImageInput];
}

/** Copies a rectangle out of an RGB image (returns the image itself for the full box). */
export function cropRgb(image: RgbImage, box: CropBox): RgbImage {
  if (box.left === 0 && box.top === 0 && box.width === image.width && box.height === image.height)
    return image;
  const out = new Uint8Array(box.width * box.height * 3); // [h, w, 3]
  const rowBytes = box.width * 3;
  for (let y = 0; y < box.height; y++) {
    const from = ((box.top + y) * image.width + box.left) * 3;
    out.set(image.data.subarray(from, from + rowBytes), y * rowBytes);
  }
  return { width: box.width, height: box.height, data: out };
}

/**
 * Gemma 3 image processor, "slow" backend: pure TypeScript after decoding (libvips through `sharp`
 * decodes JPEG/PNG/WebP/GIF; RGB conversion, PIL's bilinear resize, rescale and normalize are done
 * here), matching the reference's PIL backend (`Gemma3ImageProcessorPil`) bit for bit on lossless input.
 */
export class Gemma3ImageProcessor {
  readonly settings: ImageProcessorSettings;
  readonly limits: ImageLimits;

  constructor(config: PreprocessorConfigJson = {}, options: ImageProcessorConstructorOptions = {}) {
    this.settings = resolvePreprocessorConfig(config);
    this.limits = resolveLimits(options.limits ?? {});
  }

  /** Reads `<dir>/preprocessor_config.json`. */
  static async fromPretrained(
    dir: string,
    options: ImageProcessorConstructorOptions = {},
  ): Promise<Gemma3ImageProcessor> {
    const { json, file } = await readPreprocessorConfig(dir);
    resolvePreprocessorConfig(json, file); // validate with the file name in errors
    return new Gemma3ImageProcessor(json, options);
  }

  async preprocess(
    images: ImageInput | readonly ImageInput[],
    options: PreprocessOptions = {},
  ): Promise<ImageProcessorOutput> {
    const settings = applyOverrides(this.settings, options);
    const limits = resolveLimits(options, this.limits);
    const pieces: ResizedPiece[] = [];
    const numCrops: number[] = [];
    const list = toImageList(images);
    for (let i = 0; i < list.length; i++) {
      const loaded = await loadImage(list[i]!, i, { limits, fetch: options.fetch });
      const rgb =
        loaded.kind === 'raw' ? toRgb(loaded.image) : await decodeToRgb(loaded.bytes, loaded.source, limits);
      const crops = settings.doPanAndScan
        ? panAndScanCrops(rgb.width, rgb.height, {
            minCropSize: settings.panAndScanMinCropSize,
            maxNumCrops: settings.panAndScanMaxNumCrops,
            minRatioToActivate: settings.panAndScanMinRatioToActivate,
          })
        : [];
      numCrops.push(crops.length);
      for (const picture of [rgb, ...crops.map((box) => cropRgb(rgb, box))]) {
        pieces.push(settings.doResize ? this.resize(picture, settings) : picture);
      }
    }
    return { pixelValues: stackPieces(pieces, pilBackendLut(settings)), numCrops };
  }

  private resize(image: RgbImage, settings: ImageProcessorSettings): ResizedPiece {
    const resized = pilBilinearResize({ ...image, channels: 3 }, settings.size.width, settings.size.height);
    return { width: resized.width, height: resized.height, data: resized.data };
  }
}
