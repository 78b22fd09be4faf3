export { ExportLayoutError } from './errors/export-layout-error.js';
export { ExportOptionsError } from './errors/export-options-error.js';
export { ModelFolderError } from './errors/model-folder-error.js';
export { OutputFolderNotEmptyError } from './errors/output-folder-not-empty-error.js';
export {
  type ExportedGraph,
  type ExportOptions,
  type ExportResult,
  exportTransformersJs,
} from './export/export-transformers-js.js';
export { COPIED_FILES } from './export/write-configs.js';
export { buildEmbedTokensGraph } from './graph/build-embed-tokens-graph.js';
export { type DecoderTokens, wrapDecoderForTransformersJs } from './graph/wrap-decoder.js';
export {
  Dims,
  DTYPE_SUFFIX,
  dataFileName,
  EXPORT_DTYPES,
  type ExportDtype,
  ONNX_SUBFOLDER,
  onnxFileName,
  SessionFiles,
  TjsInputs,
  TjsOutputs,
} from './layout.js';
export { type ExportFolder, isTransformersJsFolder, readExportFolder } from './runtime/read-export.js';
export {
  type TjsCache,
  type TjsForwardInputs,
  type TjsForwardOutput,
  TransformersJsCausalLM,
  type TransformersJsLoadOptions,
} from './runtime/transformers-js-causal-lm.js';
