import { Gemma3Error } from '@gemma3/errors';

/** A readable file in a format or layout the processors do not accept (e.g. SVG, PDF, TIFF, HEIF, CMYK when refused). */
export class UnsupportedImageError extends Gemma3Error {
  constructor(
    readonly source: string,
    /** The format or property that is not supported, e.g. `svg`, `colourspace lab`. */
    readonly what: string,
    readonly supported: string,
  ) {
    super({
      code: 'image/unsupported',
      message: `image ${source}: unsupported ${what} (supported: ${supported})`,
    });
  }
}
