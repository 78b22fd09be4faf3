import { Gemma3Error } from '@gemma3/errors';

/** Offline mode (HF_HUB_OFFLINE or `offline: true`) and the cache lacks a file or the revision. */
export class OfflineFileMissingError extends Gemma3Error {
  readonly modelId: string;
  readonly revision: string;
  /** The missing file, or undefined when the revision itself is not in the cache. */
  readonly file: string | undefined;
  readonly cacheDir: string;

  constructor(options: { modelId: string; revision: string; file?: string; cacheDir: string }) {
    const { modelId, revision, file, cacheDir } = options;
    const what =
      file === undefined
        ? `revision ${JSON.stringify(revision)} of ${modelId} is not in the cache`
        : `${file} of ${modelId} (revision ${JSON.stringify(revision)}) is not in the cache`;
    super({
      code: 'hub/offline-file-missing',
      message: `offline mode (HF_HUB_OFFLINE): ${what} at ${cacheDir}; download it once online, or unset HF_HUB_OFFLINE`,
    });
    this.modelId = modelId;
    this.revision = revision;
    this.file = file;
    this.cacheDir = cacheDir;
  }
}
