import { Gemma3Error } from '@gemma3/errors';

/** A prompt is longer than `maxLength` and truncation was not asked for (nothing is cut silently). */
export class PromptTooLongError extends Gemma3Error {
  constructor(
    readonly prompt: number,
    readonly length: number,
    readonly maxLength: number,
  ) {
    super({
      code: 'processor/prompt-too-long',
      message: `prompt ${prompt} has ${length} tokens, more than maxLength ${maxLength}; pass truncation: true to cut it`,
    });
  }
}
