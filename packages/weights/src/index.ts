export type { PlannedTensor, TensorDeclaration } from './build-header.js';
export {
  bfloat16BitsToFloat32,
  bfloat16ToFloat32,
  float32ToBfloat16,
  float32ToBfloat16Bits,
} from './convert/bfloat16.js';
export {
  float16BitsToFloat32,
  float16Table,
  float16ToFloat32,
  float32ToFloat16,
  float32ToFloat16Bits,
} from './convert/float16.js';
export {
  dtypeByteSize,
  isSafetensorsDtype,
  SAFETENSORS_DTYPES,
  type SafetensorsDtype,
  tensorByteLength,
} from './dtypes.js';
export { CheckpointIndexError } from './errors/checkpoint-index-error.js';
export { CheckpointNotFoundError } from './errors/checkpoint-not-found-error.js';
export { DuplicateTensorAcrossShardsError } from './errors/duplicate-tensor-across-shards-error.js';
export { Gemma3LayoutError } from './errors/gemma3-layout-error.js';
export { SafetensorsClosedError } from './errors/safetensors-closed-error.js';
export { SafetensorsDtypeError } from './errors/safetensors-dtype-error.js';
export { SafetensorsDuplicateTensorError } from './errors/safetensors-duplicate-tensor-error.js';
export { SafetensorsHeaderJsonError } from './errors/safetensors-header-json-error.js';
export { SafetensorsHeaderLengthError } from './errors/safetensors-header-length-error.js';
export { SafetensorsMetadataError } from './errors/safetensors-metadata-error.js';
export {
  SafetensorsOffsetsError,
  type SafetensorsOffsetsProblem,
} from './errors/safetensors-offsets-error.js';
export { SafetensorsShapeError } from './errors/safetensors-shape-error.js';
export { SafetensorsTruncatedError } from './errors/safetensors-truncated-error.js';
export { SafetensorsWriteError } from './errors/safetensors-write-error.js';
export { ShardMissingError } from './errors/shard-missing-error.js';
export { ShardPathEscapeError } from './errors/shard-path-escape-error.js';
export { TensorNotFoundError } from './errors/tensor-not-found-error.js';
export { WeightsError, type WeightsErrorOptions } from './errors/weights-error.js';
export { WeightsFileError } from './errors/weights-file-error.js';
export {
  detectGemma3Layout,
  type Gemma3Prefixes,
  type Gemma3WeightLayout,
  type Gemma3Weights,
  gemma3Weights,
  type LmHeadRef,
  type WeightRef,
} from './gemma3-weights.js';
export { MAX_HEADER_BYTES } from './header-limits.js';
export {
  type Checkpoint,
  type CheckpointTensorInfo,
  INDEX_FILE_NAME,
  type OpenCheckpointOptions,
  openCheckpoint,
  SINGLE_FILE_NAME,
} from './open-checkpoint.js';
export {
  openSafetensors,
  type ReadBuffers,
  type ReadOptions,
  SafetensorsFile,
  type TypedTensorData,
} from './open-safetensors.js';
export type { TensorData } from './tensor-bytes.js';
export type { RawTensor, TensorInfo } from './tensor-info.js';
export {
  createSafetensorsWriter,
  type SafetensorsWriter,
  type TensorToWrite,
  type WriteSafetensorsOptions,
  writeSafetensors,
} from './write-safetensors.js';
