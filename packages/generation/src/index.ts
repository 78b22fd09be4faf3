export {
  checkJsonSchema,
  compileJsonGrammar,
  compileJsonSchemaGrammar,
  compileRegexGrammar,
  type JsonConstraintOptions,
} from './constrained/compile.js';
export { CompiledGrammar, type GrammarLimits } from './constrained/compiled-grammar.js';
export { GrammarConstraint } from './constrained/grammar-constraint.js';
export { SUPPORTED_FORMATS } from './constrained/string-formats.js';
export { TokenVocabulary } from './constrained/token-vocabulary.js';
export {
  type BatcherStats,
  ContinuousBatcher,
  type ContinuousBatcherOptions,
} from './continuous-batcher.js';
export type { DecodeFunction } from './decode-function.js';
export { ConstraintViolationError } from './errors/constraint-violation-error.js';
export { ContextLengthExceededError } from './errors/context-length-exceeded-error.js';
export { GrammarTooLargeError } from './errors/grammar-too-large-error.js';
export { InvalidGenerationOptionError } from './errors/invalid-generation-option-error.js';
export { InvalidPatternError } from './errors/invalid-pattern-error.js';
export { InvalidPromptError } from './errors/invalid-prompt-error.js';
export { ModelOutputError } from './errors/model-output-error.js';
export { NonFiniteLogitsError } from './errors/non-finite-logits-error.js';
export { UnsupportedSchemaError } from './errors/unsupported-schema-error.js';
export { type FinishReason, type GenerateOptions, type GenerateResult, generate } from './generate.js';
export type {
  CacheKind,
  CausalLanguageModel,
  DecodeInputs,
  GenerationSession,
  PrefillInputs,
  SessionOptions,
  VerifyInputs,
} from './generation-model.js';
export {
  type GenerationConfigLike,
  type GenerationSettings,
  type ResolvedSettings,
  resolveSettings,
} from './generation-options.js';
export type { ConstraintStep, LogitsConstraint } from './logits-constraint.js';
export {
  commonPrefix,
  PrefixCache,
  type PrefixCacheOptions,
  type PrefixCacheStats,
  type PrefixMatch,
} from './prefix-cache.js';
export { applyMinP } from './processors/min-p.js';
export { type LogitsProcessing, processLogits } from './processors/process-logits.js';
export { applyRepetitionPenalty } from './processors/repetition-penalty.js';
export { suppressTokens } from './processors/suppress-tokens.js';
export { applyTemperature } from './processors/temperature.js';
export { applyTopK } from './processors/top-k.js';
export { applyTopP } from './processors/top-p.js';
export { type PromptBatch, positionIdsFromAttentionMask, preparePromptBatch } from './prompt-batch.js';
export {
  findDraft,
  type PromptLookupOptions,
  type ResolvedPromptLookup,
  resolvePromptLookup,
} from './prompt-lookup.js';
export { randomSeed, Xoshiro128StarStar } from './random.js';
export { argmax, sampleToken } from './select-token.js';
export type { SequenceRequest, SequenceResult } from './sequence-job.js';
export type {
  SequenceBatch,
  SequenceBatchModel,
  SequencePrefill,
  SequencePrefillResult,
  SequenceState,
} from './sequence-model.js';
export { StopStringMatcher } from './stop-strings.js';
export { TextStreamer, type TextStreamerOptions } from './text-streamer.js';
export type { TokenEvent, TokenStreamer } from './token-streamer.js';
