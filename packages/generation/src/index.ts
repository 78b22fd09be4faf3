export type {
  CacheKind,
  CausalLanguageModel,
  DecodeInputs,
  GenerationSession,
  PrefillInputs,
  SessionOptions,
} from './generation-model.js';
