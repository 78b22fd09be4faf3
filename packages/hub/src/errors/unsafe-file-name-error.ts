import { Gemma3Error } from '@gemma3/errors';

/** A repository file name (from the API or from `files`) that would escape the snapshot folder. */
export class UnsafeFileNameError extends Gemma3Error {
  readonly modelId: string;
  readonly file: string;

  constructor(modelId: string, file: string, reason: string) {
    super({
      code: 'hub/unsafe-file-name',
      message: `refusing file name ${JSON.stringify(file)} of ${modelId}: ${reason}`,
    });
    this.modelId = modelId;
    this.file = file;
  }
}
