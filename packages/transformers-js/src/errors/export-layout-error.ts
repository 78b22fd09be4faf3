import { Gemma3Error } from '@gemma3/errors';

/** A folder given to the loader is not a transformers.js export it can run (missing file, wrong IO). */
export class ExportLayoutError extends Gemma3Error {
  readonly folder: string;
  /** The file (relative to the folder) that is missing or wrong, when one is. */
  readonly file: string | undefined;

  constructor(folder: string, reason: string, file?: string) {
    super({
      code: 'transformers-js/layout',
      message: `${folder}${file ? ` (${file})` : ''}: ${reason}`,
    });
    this.folder = folder;
    this.file = file;
  }
}
