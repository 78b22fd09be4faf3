export {
  type ConvertToGgufOptions,
  type ConvertToGgufResult,
  checkLlamaCppCompatible,
  convertToGguf,
  type GgufFileType,
  gemma3Metadata,
} from './convert-gemma3.js';
export { GgufFormatError } from './errors/gguf-format-error.js';
export { GgufInputError } from './errors/gguf-input-error.js';
export { GEMMA3_LAYER_TENSORS, ggufTensorName, isGemmaNorm } from './gemma3-tensors.js';
export { type GgufVocab, loadGemma3Vocab, vocabMetadata } from './gemma3-vocab.js';
export {
  GGML_BLOCK,
  GGUF_DEFAULT_ALIGNMENT,
  GGUF_MAGIC,
  GGUF_VERSION,
  GgmlType,
  type GgmlTypeName,
  GgufValueType,
  ggmlByteLength,
  LLAMA_FTYPE,
  TokenType,
} from './gguf-constants.js';
export { ByteSink, encodeMetadataEntry, type GgufMetadata, type GgufValue } from './gguf-metadata.js';
export { dequantizeQ4_0, dequantizeQ8_0, QK, quantizeQ4_0, quantizeQ8_0 } from './quantize.js';
export { type GgufHeader, type GgufTensorInfo, readGgufHeader } from './read-gguf.js';
export { type GgufTensorPlan, type GgufWriteResult, type WriteGgufOptions, writeGguf } from './write-gguf.js';
