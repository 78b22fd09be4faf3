import { Gemma3Error } from '@gemma3/errors';

/** The export's output folder exists and holds files; pass `overwrite: true` to replace the export. */
export class OutputFolderNotEmptyError extends Gemma3Error {
  readonly folder: string;
  readonly entries: readonly string[];

  constructor(folder: string, entries: readonly string[]) {
    super({
      code: 'transformers-js/output-not-empty',
      message: `${folder} is not empty (${entries.slice(0, 5).join(', ')}${entries.length > 5 ? ', ...' : ''}); pass overwrite to replace it`,
    });
    this.folder = folder;
    this.entries = entries;
  }
}
