export { CONFIG_FORMATS, type ConfigFormat, toTransformersV5Config } from './config-format.js';
export {
  type CreateRandomCheckpointOptions,
  createRandomCheckpoint,
  type RandomCheckpointProgress,
  type RandomCheckpointResult,
} from './create-random-checkpoint.js';
export { OutputDirNotEmptyError } from './errors/output-dir-not-empty-error.js';
export { RandomCheckpointError } from './errors/random-checkpoint-error.js';
export {
  isRandomCheckpointPreset,
  type PresetFiles,
  presetFiles,
  RANDOM_CHECKPOINT_PRESETS,
  type RandomCheckpointPreset,
} from './presets.js';
export { fillNormalBf16, hash32, normalBf16Table, tensorKeys } from './random-bf16.js';
export {
  INIT_BY_ROLE,
  type RandomTensorSpec,
  randomCheckpointDataBytes,
  randomCheckpointTensors,
} from './tensors.js';
export { tokenizerFiles } from './tokenizer-files.js';
