export { ChecksumMismatchError } from './errors/checksum-mismatch-error.js';
export { HubAccessDeniedError } from './errors/hub-access-denied-error.js';
export { HubHttpError } from './errors/hub-http-error.js';
export { HubNetworkError } from './errors/hub-network-error.js';
export { type HubMissingThing, HubNotFoundError } from './errors/hub-not-found-error.js';
export { HubResponseError } from './errors/hub-response-error.js';
export { InvalidModelIdError } from './errors/invalid-model-id-error.js';
export { InvalidRevisionError } from './errors/invalid-revision-error.js';
export { LocalModelNotFoundError, type LocalModelProblem } from './errors/local-model-not-found-error.js';
export { LockTimeoutError } from './errors/lock-timeout-error.js';
export { OfflineFileMissingError } from './errors/offline-file-missing-error.js';
export { SizeMismatchError } from './errors/size-mismatch-error.js';
export { TooManyRedirectsError } from './errors/too-many-redirects-error.js';
export { UnsafeFileNameError } from './errors/unsafe-file-name-error.js';
export type { FetchLike } from './http-client.js';
export { type Env, hfHome, hubCacheDir, hubEndpoint, hubOffline, hubToken } from './hub-env.js';
export { isCommitHash, isValidModelId, type ModelId, parseModelId } from './model-id.js';
export {
  createProgressBar,
  formatBytes,
  type ProgressBarOptions,
  type ProgressStream,
} from './progress-bar.js';
export { type DownloadProgress, type ResolveModelOptions, resolveModel } from './resolve-model.js';
export { type FileSelection, GEMMA3_MODEL_FILES, isGemma3ModelFile } from './select-files.js';
