import { Gemma3Error } from '@gemma3/errors';

/** The image argument itself is wrong: unknown type, bad raw dimensions, malformed data URI, missing file. */
export class InvalidImageInputError extends Gemma3Error {
  constructor(
    readonly source: string,
    readonly reason: string,
    cause?: unknown,
  ) {
    super({ code: 'image/invalid-input', message: `invalid image input ${source}: ${reason}`, cause });
  }
}
