import { Gemma3Error } from '@gemma3/errors';

export type HubMissingThing = 'model' | 'revision' | 'file';

/** 404 (or the hub's RepoNotFound / RevisionNotFound / EntryNotFound): names what is missing. */
export class HubNotFoundError extends Gemma3Error {
  readonly modelId: string;
  readonly revision: string;
  readonly file: string | undefined;
  readonly missing: HubMissingThing;

  constructor(options: { modelId: string; revision: string; file?: string; missing: HubMissingThing }) {
    const { modelId, revision, file, missing } = options;
    const message = {
      model: `model ${modelId} not found on the hub (check the id; private models also need HF_TOKEN)`,
      revision: `revision ${JSON.stringify(revision)} of model ${modelId} not found on the hub`,
      file: `file ${file} not found in model ${modelId} at revision ${JSON.stringify(revision)}`,
    }[missing];
    super({ code: 'hub/not-found', message });
    this.modelId = modelId;
    this.revision = revision;
    this.file = file;
    this.missing = missing;
  }
}
