import { Gemma3Error } from '@gemma3/errors';

/** The number of image soft tokens in the prompt is not images x mm_tokens_per_image. */
export class ImageTokenCountError extends Gemma3Error {
  readonly imageTokens: number;
  readonly images: number;
  readonly tokensPerImage: number;

  constructor(fields: { imageTokens: number; images: number; tokensPerImage: number; detail?: string }) {
    super({
      code: 'multimodal-model/image-token-count',
      message:
        `inputIds hold ${fields.imageTokens} image tokens, but ${fields.images} image(s) x ` +
        `${fields.tokensPerImage} tokens per image = ${fields.images * fields.tokensPerImage} are needed` +
        (fields.detail ? ` (${fields.detail})` : ''),
    });
    this.imageTokens = fields.imageTokens;
    this.images = fields.images;
    this.tokensPerImage = fields.tokensPerImage;
  }
}
