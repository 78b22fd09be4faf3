import { Gemma3Error } from '@gemma3/errors';

/** Refused before decoding: the header announces more pixels (or the input has more bytes) than allowed. */
export class ImageTooLargeError extends Gemma3Error {
  constructor(
    readonly source: string,
    /** `pixels` (width x height from the header) or `bytes` (size of the encoded input). */
    readonly limitKind: 'pixels' | 'bytes',
    readonly actual: number,
    readonly limit: number,
    readonly width?: number,
    readonly height?: number,
  ) {
    const dims = width !== undefined && height !== undefined ? ` (${width}x${height})` : '';
    super({
      code: 'image/too-large',
      message: `image ${source}: ${actual} ${limitKind}${dims} exceeds the limit of ${limit} ${limitKind}`,
    });
  }
}
