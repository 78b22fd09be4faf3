import { Gemma3Error } from '@gemma3/errors';

/** config.json describes a model that is not Gemma 3 (model_type and architectures are named). */
export class UnsupportedModelError extends Gemma3Error {
  constructor(
    /** The config.json read. */
    readonly file: string,
    /** Its `model_type` (undefined when absent). */
    readonly modelType: string | undefined,
    /** Its `architectures` (empty when absent). */
    readonly architectures: readonly string[],
  ) {
    const what = [
      modelType === undefined ? 'no model_type' : `model_type "${modelType}"`,
      architectures.length > 0 ? `architectures ${architectures.join(', ')}` : undefined,
    ]
      .filter(Boolean)
      .join(', ');
    super({
      code: 'pipeline/unsupported-model',
      message: `${file}: ${what} is not Gemma 3 (expected model_type "gemma3" or "gemma3_text")`,
    });
  }
}
