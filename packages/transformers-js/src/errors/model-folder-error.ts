import { Gemma3Error } from '@gemma3/errors';

/** The checkpoint folder to export is missing or has no config.json. */
export class ModelFolderError extends Gemma3Error {
  readonly folder: string;

  constructor(folder: string, reason: string, cause?: unknown) {
    super({ code: 'transformers-js/model-folder', message: `${folder}: ${reason}`, cause });
    this.folder = folder;
  }
}
