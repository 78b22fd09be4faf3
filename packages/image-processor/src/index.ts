export { SUPPORTED_FORMATS } from './decode-image.js';
export { ImageDecodeError } from './errors/image-decode-error.js';
export { ImageShapeMismatchError } from './errors/image-shape-mismatch-error.js';
export { ImageTooLargeError } from './errors/image-too-large-error.js';
export { InvalidImageInputError } from './errors/invalid-image-input-error.js';
export { InvalidPreprocessorConfigError } from './errors/invalid-preprocessor-config-error.js';
export { UnsupportedImageError } from './errors/unsupported-image-error.js';
export { Gemma3ImageProcessor, type ImageProcessorConstructorOptions } from './gemma3-image-processor.js';
export {
  DEFAULT_EXACT_RESIZE_MAX_PIXELS,
  type FastImageProcessorOptions,
  Gemma3ImageProcessorFast,
} from './gemma3-image-processor-fast.js';
export {
  DEFAULT_IMAGE_LIMITS,
  type ImageInput,
  type ImageLimits,
  type RawImageInput,
} from './image-input.js';
export { type CropBox, type PanAndScanSettings, panAndScanCrops } from './pan-and-scan.js';
export { pilBilinearResize } from './pil-bilinear-resize.js';
export type { PixelValues } from './pixel-values.js';
export type { ImageProcessorOutput } from './processor-output.js';
export {
  DEFAULT_SETTINGS,
  type ImageProcessorSettings,
  type PreprocessOptions,
  type PreprocessorConfigJson,
  resolvePreprocessorConfig,
} from './settings.js';
export { torchvisionBilinearResize } from './torchvision-bilinear-resize.js';
