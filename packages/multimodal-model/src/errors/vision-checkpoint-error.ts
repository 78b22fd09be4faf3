import { Gemma3Error } from '@gemma3/errors';

/** The checkpoint has no SigLIP vision tower or projector under a known name, or lacks one of its tensors. */
export class VisionCheckpointError extends Gemma3Error {
  readonly folder: string;
  readonly tensor: string | undefined;

  constructor(fields: { folder: string; reason: string; tensor?: string }) {
    super({ code: 'multimodal-model/vision-checkpoint', message: `${fields.folder}: ${fields.reason}` });
    this.folder = fields.folder;
    this.tensor = fields.tensor;
  }
}
