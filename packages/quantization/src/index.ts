export {
  type Bits,
  type BlockQuantized,
  type BlockQuantSpec,
  type BlockSize,
  type ChannelQuantized,
  dequantizeBlocks,
  dequantizeChannels,
  gatherZeroPoints,
  quantizeBlocks,
  quantizeChannelsInt8,
  quantizedAt,
  relativeError,
  zeroPointAt,
} from './block-quantize.js';
export { createDequantizedWeightOps } from './dequantized-weight-ops.js';
export { QuantizationOptionsError } from './errors/quantization-options-error.js';
export { QuantizationShapeError } from './errors/quantization-shape-error.js';
export { QuantizationWorkerError } from './errors/quantization-worker-error.js';
export {
  DTYPE_DEFAULTS,
  type Dtype,
  LINEAR_KERNELS,
  type LinearKernel,
  type ModuleQuantization,
  type QuantizationOptions,
  type QuantizationSpec,
  type ResolvedQuantization,
  resolveQuantization,
} from './options.js';
export { BUILD_WORKERS_ENV, buildWorkerCount } from './parallel/worker-pool.js';
export { createPrefillWeightOps } from './prefill-weight-ops.js';
export {
  createQuantizedWeightOps,
  EMBEDDING_TABLE_INPUTS,
  type QuantizedBuildOptions,
  type QuantizedWeightOps,
} from './quantized-weight-ops.js';
export { compareLogits, cosineByRow, type LogitComparison } from './report/compare.js';
export {
  type ResolvedVisionModule,
  type ResolvedVisionQuantization,
  resolveVisionQuantization,
  VISION_DEFAULTS,
  type VisionKernel,
  type VisionModuleQuantization,
} from './vision-options.js';
export {
  createVisionWeightOps,
  type QuantizedVisionWeightOps,
  visionReconstructionError,
} from './vision-weight-ops.js';
