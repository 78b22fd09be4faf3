import { Gemma3Error } from '@gemma3/errors';

/** Truncating to `maxLength` would cut (part of) an image's tokens out of a prompt. */
export class ImageTokensTruncatedError extends Gemma3Error {
  constructor(
    readonly prompt: number,
    readonly length: number,
    readonly maxLength: number,
    readonly imageTokensBefore: number,
    readonly imageTokensAfter: number,
  ) {
    super({
      code: 'processor/image-tokens-truncated',
      message: `prompt ${prompt}: truncating ${length} tokens to maxLength ${maxLength} would keep ${imageTokensAfter} of its ${imageTokensBefore} image tokens; raise maxLength or shorten the text`,
    });
  }
}
