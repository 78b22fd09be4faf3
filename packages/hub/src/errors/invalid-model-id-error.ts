import { Gemma3Error } from '@gemma3/errors';

/** A model id that is not `org/name` with the characters the Hugging Face Hub allows. */
export class InvalidModelIdError extends Gemma3Error {
  readonly modelId: string;
  readonly reason: string;

  constructor(modelId: string, reason: string) {
    super({
      code: 'hub/invalid-model-id',
      message:
        `${JSON.stringify(modelId)} is neither an existing local folder nor a valid model id: ${reason}. ` +
        `A model id looks like "google/gemma-3-4b-it"; a local folder must exist and hold config.json.`,
    });
    this.modelId = modelId;
    this.reason = reason;
  }
}
