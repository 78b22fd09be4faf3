export type {
  BackendCallbacks,
  BackendContentPart,
  BackendInput,
  BackendMessage,
  BackendResult,
  BackendSampling,
  ChatBackend,
} from './backend.js';
export { ApiError, type ApiErrorType } from './errors/api-error.js';
export { AuthenticationError } from './errors/authentication-error.js';
export { InternalError } from './errors/internal-error.js';
export { InvalidRequestError } from './errors/invalid-request-error.js';
export { MethodNotAllowedError } from './errors/method-not-allowed-error.js';
export { NotFoundError } from './errors/not-found-error.js';
export { PayloadTooLargeError } from './errors/payload-too-large-error.js';
export { QueueFullError } from './errors/queue-full-error.js';
export { RequestTimeoutError } from './errors/request-timeout-error.js';
export { ServiceUnavailableError } from './errors/service-unavailable-error.js';
export { GenerationQueue } from './generation-queue.js';
export { isPublicAddress } from './http/address-policy.js';
export { DEFAULT_REMOTE_IMAGE, type RemoteImageOptions } from './http/remote-image.js';
export { type LoadPipelineBackendOptions, loadPipelineBackend, PipelineBackend } from './pipeline-backend.js';
export {
  parseServeArgs,
  type RunningServer,
  SERVE_ARGS,
  SERVE_HELP,
  type ServeOptions,
  ServeUsageError,
  serve,
  serveOptionsFromValues,
} from './serve.js';
export { Gemma3Server, type ServerOptions } from './server.js';
