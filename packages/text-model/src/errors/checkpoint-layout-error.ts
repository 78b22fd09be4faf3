import { Gemma3Error } from '@gemma3/errors';

/** The checkpoint holds no Gemma 3 text decoder under any known name prefix, or lacks a tensor it needs. */
export class CheckpointLayoutError extends Gemma3Error {
  readonly folder: string;
  readonly tensor: string | undefined;

  constructor(fields: { folder: string; reason: string; tensor?: string }) {
    super({ code: 'text-model/checkpoint-layout', message: `${fields.folder}: ${fields.reason}` });
    this.folder = fields.folder;
    this.tensor = fields.tensor;
  }
}
