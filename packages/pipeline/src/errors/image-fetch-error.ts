import { Gemma3Error } from '@gemma3/errors';

export type ImageFetchProblem = 'disabled' | 'network' | 'status' | 'timeout' | 'too-large';

/** An http(s) image could not be fetched within the limits (or fetching is switched off). */
export class ImageFetchError extends Gemma3Error {
  constructor(
    readonly url: string,
    readonly problem: ImageFetchProblem,
    readonly reason: string,
    cause?: unknown,
  ) {
    super({ code: 'pipeline/image-fetch', message: `image ${url}: ${reason}`, cause });
  }
}
