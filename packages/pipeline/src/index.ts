export { checkJsonSchema } from '@gemma3/generation';
export { AutoModel, type AutoModelOptions, type Gemma3AnyModel } from './auto-model.js';
export { AutoProcessor, type AutoProcessorOptions } from './auto-processor.js';
export { AutoTokenizer } from './auto-tokenizer.js';
export type { ChatCallOptions } from './chat-call-options.js';
export { DEFAULT_DTYPE, dtypeOf } from './default-dtype.js';
export { ImageFetchError, type ImageFetchProblem } from './errors/image-fetch-error.js';
export { InvalidPipelineInputError } from './errors/invalid-pipeline-input-error.js';
export { TaskModelMismatchError } from './errors/task-model-mismatch-error.js';
export { UnsupportedModelError } from './errors/unsupported-model-error.js';
export { UnsupportedTaskError } from './errors/unsupported-task-error.js';
export {
  Gemma3Pipeline,
  type GenerationOutput,
  type LoadTimings,
  PIPELINE_TASKS,
  type PipelineInput,
  type PipelineTask,
} from './gemma3-pipeline.js';
export {
  DEFAULT_IMAGE_FETCH,
  fetchRemoteImage,
  type ImageFetchOptions,
  type PipelineImage,
} from './load-image.js';
export {
  type ImageContentItem,
  type PipelineContentItem,
  type PipelineMessage,
  splitConversation,
  type TextContentItem,
} from './messages.js';
export { detectModelKind, type ModelKind, type ModelKindInfo } from './model-kind.js';
export { type ImageTextToTextPipeline, pipeline, type TextGenerationPipeline } from './pipeline.js';
export type { BatchingOptions, PipelineBatchExtra } from './pipeline-batcher.js';
export {
  DEFAULT_PREFIX_CACHE_BYTES,
  type GenerationCallOptions,
  type ImageCallOptions,
  type LoadModelOptions,
  type ModuleDtype,
  type PipelineDtype,
  type PipelineOptions,
  type StreamedToken,
  SUPPORTED_DTYPES,
  type VisionModuleDtype,
} from './pipeline-options.js';
export { resolveModelFolder } from './resolve-model-folder.js';
export type { ResponseFormat } from './structured/response-format.js';
export type { StructuredCallOptions, StructuredOutput } from './structured/structured-call.js';
export {
  parseToolCall,
  renderToolConversation,
  TOOL_CALL_CLOSE,
  TOOL_CALL_OPEN,
  type ToolCall,
  type ToolChoice,
  type ToolDefinition,
  type ToolMessage,
  toolsPrompt,
} from './structured/tools.js';
export { vocabularyOf } from './structured/vocabulary.js';
export type { GenerationTimings } from './timings.js';
export { quantizationOptionsOf, visionWeightOpsOf, weightOpsOf } from './weight-ops.js';
