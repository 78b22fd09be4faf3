import { Gemma3Error } from '@gemma3/errors';

/** A config file cannot be read or is not valid JSON (or not a JSON object). */
export class ConfigFileError extends Gemma3Error {
  readonly file: string;
  readonly reason: string;

  constructor({ file, reason, cause }: { file: string; reason: string; cause?: unknown }) {
    super({ code: 'config/unreadable-file', message: `${file}: ${reason}`, cause });
    this.file = file;
    this.reason = reason;
  }
}
