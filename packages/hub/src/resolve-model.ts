import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { isFile, ModelCache } from './cache-layout.js';
import { downloadBlob } from './download-blob.js';
import { HubNotFoundError } from './errors/hub-not-found-error.js';
import { OfflineFileMissingError } from './errors/offline-file-missing-error.js';
import { withFileLock } from './file-lock.js';
import type { FetchLike, HttpSettings } from './http-client.js';
import { fetchFileMetadata, fetchModelInfo, resolveUrl } from './hub-api.js';
import { type Env, hubCacheDir, hubEndpoint, hubOffline, hubToken } from './hub-env.js';
import { linkSnapshotFile } from './link-snapshot-file.js';
import { localModelFolder } from './local-model-folder.js';
import {
  assertSafeRepoFilePath,
  assertValidRevision,
  isCommitHash,
  type ModelId,
  parseModelId,
} from './model-id.js';
import { type FileSelection, selectFiles } from './select-files.js';
import { missingSnapshotFiles } from './snapshot-check.js';

export interface DownloadProgress {
  /** Repository path of the file, e.g. `model-00001-of-00002.safetensors`. */
  file: string;
  /** Bytes on disk so far (a resumed download starts at the partial size). */
  loaded: number;
  /** Full size, when the hub announced it. */
  total: number | undefined;
}

export interface ResolveModelOptions {
  /** Branch, tag, `refs/pr/N` or a 40-hex commit (used directly from `snapshots/`). Default `main`. */
  revision?: string;
  /**
   * Files to fetch: an explicit list (each must exist), or a predicate over the repository's file
   * paths. Default: the files a Gemma 3 model needs (`isGemma3ModelFile`).
   */
  files?: FileSelection;
  /** Default `globalThis.fetch`. */
  fetch?: FetchLike;
  /** Default `HF_ENDPOINT`, else https://huggingface.co. */
  endpoint?: string;
  /** Default `HF_TOKEN`, `HUGGING_FACE_HUB_TOKEN`, or the token file of `hf auth login`. */
  token?: string;
  /** Default `HF_HUB_CACHE`, else `HF_HOME/hub`, else `~/.cache/huggingface/hub`. */
  cacheDir?: string;
  /** Use the cache only. Default: `HF_HUB_OFFLINE` is truthy (1, true, yes, on). */
  offline?: boolean;
  /** Ask the hub for the revision's commit even when a complete snapshot is cached. */
  refresh?: boolean;
  onProgress?: (progress: DownloadProgress) => void;
  signal?: AbortSignal;
  /** Longest wait for headers and longest silence inside a body. Default 30 000 ms. */
  timeoutMs?: number;
  /** Retries for 5xx, 429, resets and timeouts. Default 4. */
  retries?: number;
  /** First backoff delay, doubled each retry. Default 500 ms. */
  retryDelayMs?: number;
  /** Environment to read the HF_* variables from. Default `process.env`. */
  env?: Env;
}

/**
 * The local folder holding a model: a local folder is checked (it must hold config.json) and
 * returned; a model id (`org/name`) is resolved in the Hugging Face cache, downloading what is
 * missing, and the snapshot folder `<cache>/models--org--name/snapshots/<commit>` is returned.
 */
export async function resolveModel(
  modelIdOrPath: string,
  options: ResolveModelOptions = {},
): Promise<string> {
  const local = await localModelFolder(modelIdOrPath);
  if (local !== undefined) return local;

  const model = parseModelId(modelIdOrPath);
  const revision = options.revision ?? 'main';
  assertValidRevision(revision);
  const explicitFiles = Array.isArray(options.files) ? (options.files as readonly string[]) : undefined;
  for (const file of explicitFiles ?? []) assertSafeRepoFilePath(model.id, file);

  const env = options.env ?? process.env;
  const cache = new ModelCache(options.cacheDir ?? hubCacheDir(env), model);
  const cachedCommit = isCommitHash(revision) ? revision : await cache.readRef(revision);

  if (options.offline ?? hubOffline(env)) {
    const offlineError = (file?: string) =>
      new OfflineFileMissingError({ modelId: model.id, revision, file, cacheDir: cache.cacheDir });
    if (cachedCommit === undefined) throw offlineError();
    const missing = await missingSnapshotFiles(cache.snapshotDir(cachedCommit), explicitFiles);
    if (missing.length > 0) throw offlineError(missing[0]);
    return cache.snapshotDir(cachedCommit);
  }
  if (cachedCommit !== undefined && !options.refresh) {
    const missing = await missingSnapshotFiles(cache.snapshotDir(cachedCommit), explicitFiles);
    if (missing.length === 0) return cache.snapshotDir(cachedCommit);
  }

  const token = options.token ?? hubToken(env);
  const settings: HttpSettings = {
    fetch: options.fetch ?? globalThis.fetch,
    token: token === '' ? undefined : token,
    signal: options.signal,
    timeoutMs: options.timeoutMs ?? 30_000,
    retries: options.retries ?? 4,
    retryDelayMs: options.retryDelayMs ?? 500,
  };
  const endpoint = (options.endpoint ?? hubEndpoint(env)).replace(/\/+$/, '');
  const info = await fetchModelInfo(endpoint, model, revision, settings);
  if (!isCommitHash(revision)) await cache.writeRef(revision, info.sha);

  const wanted = selectFiles(info.files, options.files);
  for (const file of wanted) {
    assertSafeRepoFilePath(model.id, file);
    if (!info.files.includes(file)) {
      throw new HubNotFoundError({ modelId: model.id, revision, file, missing: 'file' });
    }
  }
  if (options.files === undefined && !wanted.includes('config.json')) {
    throw new HubNotFoundError({ modelId: model.id, revision, file: 'config.json', missing: 'file' });
  }
  for (const file of wanted) {
    await ensureSnapshotFile({ cache, model, endpoint, commit: info.sha, file, settings, options });
  }
  return cache.snapshotDir(info.sha);
}

interface EnsureFile {
  cache: ModelCache;
  model: ModelId;
  endpoint: string;
  commit: string;
  file: string;
  settings: HttpSettings;
  options: ResolveModelOptions;
}

/** Links `snapshots/<commit>/<file>` to its blob, downloading the blob (under its lock) if absent. */
async function ensureSnapshotFile({ cache, model, endpoint, commit, file, settings, options }: EnsureFile) {
  const pointer = cache.pointerPath(commit, file);
  if (await isFile(pointer)) return;
  const metadata = await fetchFileMetadata(endpoint, model, commit, file, settings);
  const blob = cache.blobPath(metadata.etag);
  if (!(await isFile(blob))) {
    await mkdir(dirname(blob), { recursive: true });
    await withFileLock(
      `${blob}.lock`,
      async () => {
        if (await isFile(blob)) return; // Another process finished it while we waited.
        await downloadBlob(
          {
            url: resolveUrl(endpoint, model, commit, file),
            blobPath: blob,
            etag: metadata.etag,
            expectedSize: metadata.size,
            context: {
              endpoint,
              modelId: model.id,
              revision: commit,
              file,
              tokenSent: settings.token !== undefined,
            },
            onProgress:
              options.onProgress && ((loaded, total) => options.onProgress?.({ file, loaded, total })),
          },
          settings,
        );
      },
      { signal: options.signal },
    );
  }
  await linkSnapshotFile(blob, pointer);
}
