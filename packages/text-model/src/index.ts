export { BatchKvCache, type BatchKvCacheOptions } from './cache/batch-kv-cache.js';
export { type CacheKind, KvCache, type KvCacheOptions, MASKED } from './cache/kv-cache.js';
export { type RowKv, rowKvBytes, truncateRow } from './cache/row-kv.js';
export type { StepCache } from './cache/step-cache.js';
export {
  checkTextShapes,
  expectedTextShapes,
  type TextTensorNames,
  textTensorNames,
} from './checkpoint/text-weights.js';
export { CacheCapacityError } from './errors/cache-capacity-error.js';
export { CheckpointLayoutError } from './errors/checkpoint-layout-error.js';
export { InvalidInputError } from './errors/invalid-input-error.js';
export { TensorShapeError } from './errors/tensor-shape-error.js';
export {
  type CausalLMForwardInputs,
  type CausalLMOutput,
  type CreateCacheOptions,
  Gemma3ForCausalLM,
} from './gemma3-for-causal-lm.js';
export { Gemma3TextModel, type TextModelOutput } from './gemma3-text-model.js';
export { buildDecoderGraph, DECODER_GRAPH_VERSION } from './graph/build-decoder-graph.js';
export {
  type DecoderGraphOptions,
  DecoderInputs,
  type DecoderOutputKind,
  DecoderOutputs,
} from './graph/decoder-io.js';
export { linear } from './graph/linear.js';
export { FP32_WEIGHT_OPS, type WeightOps } from './graph/weight-ops.js';
export { type ReadBytesOptions, transpose, type WeightSource } from './graph/weight-source.js';
export { DecoderRunner, type DecoderStep } from './runtime/decoder-runner.js';
export {
  DEFAULT_REUSE_SLACK,
  DecoderSequence,
  DecoderSequenceBatch,
  prefillSequence,
  type SequenceLayout,
  sequenceLayoutOf,
  textSpanStep,
} from './runtime/decoder-sequences.js';
export type { ForwardInputs, Rows } from './runtime/forward-inputs.js';
export {
  type BuiltDecoder,
  buildDecoderModel,
  type LoadedDecoder,
  type LoadOptions,
  loadDecoder,
} from './runtime/load-decoder.js';
export { TextGenerationSession } from './runtime/text-generation-session.js';
