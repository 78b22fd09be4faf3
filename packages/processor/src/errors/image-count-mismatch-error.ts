import { Gemma3Error } from '@gemma3/errors';

/** A prompt has a different number of `<start_of_image>` markers than images given for it. */
export class ImageCountMismatchError extends Gemma3Error {
  constructor(
    /** Index of the prompt in the batch. */
    readonly prompt: number,
    readonly markers: number,
    readonly images: number,
  ) {
    super({
      code: 'processor/image-count-mismatch',
      message: `prompt ${prompt} contains ${markers} <start_of_image> marker(s) but ${images} image(s) were given for it`,
    });
  }
}
