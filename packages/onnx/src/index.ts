export {
  type CachedBuild,
  cacheKey,
  defaultCacheRoot,
  type FileIdentity,
  fileIdentities,
  getOrBuild,
  ONNX_BUILDER_VERSION,
} from './cache/model-cache.js';
export { GraphBuildError } from './errors/graph-build-error.js';
export { OnnxRuntimeError } from './errors/onnx-runtime-error.js';
export { bytesPerElement, DataType, type ElementType } from './graph/data-type.js';
export {
  type AttributeInput,
  attr,
  elementCount,
  GraphBuilder,
  type GraphBuilderOptions,
  type InitializerSpec,
  type NodeOptions,
  type TensorData,
} from './graph/graph-builder.js';
export {
  type ExternalTensor,
  FEEDS_FROM_DATA_KEY,
  readExternalIndex,
  readExternalTensor,
  readFeedsFromData,
} from './graph/read-external.js';
export {
  type ExternalDataIndex,
  type SavedModel,
  type SaveModelOptions,
  saveModel,
} from './graph/save-model.js';
export { createProgressBar, type ProgressBar, type ProgressBarOptions } from './progress/progress-bar.js';
export type { AttributeValue, Dim, ValueInfo } from './proto/onnx-messages.js';
export {
  type Feeds,
  type GraphOptimizationLevel,
  OnnxSession,
  type ort,
  type SessionConfig,
  tensor,
} from './session/onnx-session.js';
