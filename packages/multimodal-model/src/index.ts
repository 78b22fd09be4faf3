export {
  checkVisionShapes,
  expectedVisionShapes,
  PROJECTOR_PREFIXES,
  VISION_PREFIXES,
  type VisionLayerNames,
  type VisionTensorNames,
  visionTensorNames,
} from './checkpoint/vision-weights.js';
export { ImageTokenCountError } from './errors/image-token-count-error.js';
export { MultimodalInputError } from './errors/multimodal-input-error.js';
export { PixelValuesError } from './errors/pixel-values-error.js';
export { VisionCheckpointError } from './errors/vision-checkpoint-error.js';
export { VisionTensorShapeError } from './errors/vision-tensor-shape-error.js';
export { buildVisionGraph, VISION_GRAPH_VERSION } from './graph/build-vision-graph.js';
export {
  type VisionAttentionKind,
  type VisionGraphOptions,
  VisionInputs,
  VisionOutputs,
} from './graph/vision-io.js';
export {
  FP32_VISION_WEIGHT_OPS,
  type VisionLinearOp,
  type VisionWeightOps,
  visionCacheKey,
} from './graph/vision-weight-ops.js';
export { DerivedWeights, type WeightReader } from './graph/weight-reader.js';
export {
  type ConditionalGenerationForwardInputs,
  type ConditionalGenerationOutput,
  Gemma3ForConditionalGeneration,
  type MultimodalGenerateOptions,
} from './model/gemma3-for-conditional-generation.js';
export { Gemma3Model, type Gemma3ModelOutput } from './model/gemma3-model.js';
export type { MultimodalLoadOptions } from './model/load-multimodal.js';
export { loadMultimodalConfig } from './model/load-multimodal-config.js';
export type { MultimodalPrefillInputs } from './model/multimodal-generation-session.js';
export type { MultimodalForwardInputs } from './model/multimodal-step.js';
export {
  DEFAULT_IMAGE_CACHE_BYTES,
  DEFAULT_IMAGE_CACHE_ENTRIES,
  type ImageCacheStats,
  ImageEmbeddingCache,
  type ImageEmbeddingCacheOptions,
  pixelKey,
} from './vision/image-embedding-cache.js';
export {
  type LoadedVisionEncoder,
  loadVisionEncoder,
  type VisionLoadOptions,
} from './vision/load-vision-encoder.js';
export { type PixelValues, VisionEncoder, type VisionOutput } from './vision/vision-encoder.js';
