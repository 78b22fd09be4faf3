export { ImageCountMismatchError } from './errors/image-count-mismatch-error.js';
export { ImageTokensTruncatedError } from './errors/image-tokens-truncated-error.js';
export { InvalidProcessorInputError } from './errors/invalid-processor-input-error.js';
export { PromptTooLongError } from './errors/prompt-too-long-error.js';
export {
  type ChatTemplateCallOptions,
  type FromPretrainedOptions,
  Gemma3Processor,
  type Gemma3ProcessorOptions,
  type ProcessOptions,
  type ProcessorChatMessage,
  type ProcessorOutput,
} from './gemma3-processor.js';
export { type ImageTokenStrings, imageReplacementText } from './image-token-text.js';
export type { LengthOptions } from './pad-batch.js';
