import { Gemma3Error } from '@gemma3/errors';

/** The bytes claim to be an image (or might be one) but cannot be decoded: truncated, corrupt, empty. */
export class ImageDecodeError extends Gemma3Error {
  constructor(
    /** Where the image came from: a file path, `buffer`, `data URI`, or `images[i]`. */
    readonly source: string,
    readonly reason: string,
    cause?: unknown,
  ) {
    super({ code: 'image/decode-failed', message: `cannot decode image ${source}: ${reason}`, cause });
  }
}
