export { ConfigFileError } from './errors/config-file-error.js';
export { ConfigValidationError } from './errors/config-validation-error.js';
export {
  defaultGenerationConfig,
  GENERATION_DEFAULTS,
  type GenerationConfig,
  parseGenerationConfig,
} from './generation-config.js';
export { CONFIG_LIMITS } from './limits.js';
export { loadGenerationConfig, loadModelConfig, loadPreprocessorConfig, readJsonFile } from './load.js';
export {
  GEMMA3_DEFAULTS,
  type Gemma3Config,
  type ModelConfig,
  parseModelConfig,
  parseTextConfig,
  textConfigOf,
} from './model-config.js';
export {
  GEMMA3_PROCESSOR_DEFAULTS,
  type Gemma3ProcessorConfig,
  parsePreprocessorConfig,
} from './preprocessor-config.js';
export {
  DEFAULT_ROPE_THETA,
  type LayerType,
  type RopeParameters,
  type RopeParametersByLayerType,
} from './rope.js';
export { expectedTensorShapes, type TensorSpec } from './tensor-shapes.js';
export { GEMMA3_TEXT_DEFAULTS, type Gemma3TextConfig, type LayerSpec } from './text-config.js';
export { SIGLIP_VISION_DEFAULTS, type SiglipVisionConfig } from './vision-config.js';
