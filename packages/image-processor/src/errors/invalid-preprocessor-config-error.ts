import { Gemma3Error } from '@gemma3/errors';

/** A preprocessor_config.json field (or a per-call override) has a value the processors cannot use. */
export class InvalidPreprocessorConfigError extends Gemma3Error {
  constructor(
    /** The field, in preprocessor_config.json spelling, e.g. `size.height`, `resample`. */
    readonly field: string,
    readonly reason: string,
    /** The file it was read from, when there is one. */
    readonly file?: string,
  ) {
    super({
      code: 'image/invalid-preprocessor-config',
      message: `${file ?? 'preprocessor config'}: field ${field}: ${reason}`,
    });
  }
}
