import { Gemma3Error } from '@gemma3/errors';

/**
 * A config file holds a value the Gemma 3 packages cannot accept: wrong type, missing required field,
 * out-of-bounds size, inconsistent sizes, unknown model_type... `field` is the JSON path inside the file
 * (e.g. `text_config.num_key_value_heads`), `file` the file it came from.
 */
export class ConfigValidationError extends Gemma3Error {
  readonly file: string;
  readonly field: string;
  readonly reason: string;

  constructor({
    file,
    field,
    reason,
    cause,
  }: { file: string; field: string; reason: string; cause?: unknown }) {
    super({ code: 'config/invalid-field', message: `${file}: ${field}: ${reason}`, cause });
    this.file = file;
    this.field = field;
    this.reason = reason;
  }
}
