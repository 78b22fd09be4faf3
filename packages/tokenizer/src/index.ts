export type { AddedToken } from './added-vocabulary.js';
export type { BatchEncoding, EncodeBatchOptions } from './batch.js';
export type {
  ChatContentItem,
  ChatMessage,
  ChatTemplateLimits,
  ChatTemplateOptions,
} from './chat-template.js';
export { ChatTemplateExceptionError } from './errors/chat-template-exception-error.js';
export { ChatTemplateLimitError } from './errors/chat-template-limit-error.js';
export { ChatTemplateRenderError } from './errors/chat-template-render-error.js';
export { ContinueFinalMessageError } from './errors/continue-final-message-error.js';
export { InvalidEncodeOptionError } from './errors/invalid-encode-option-error.js';
export { InvalidTextError } from './errors/invalid-text-error.js';
export { InvalidTokenIdError } from './errors/invalid-token-id-error.js';
export { TokenizerFileError } from './errors/tokenizer-file-error.js';
export { UnsupportedComponentError } from './errors/unsupported-component-error.js';
export { StreamDecoder } from './stream-decoder.js';
export { type DecodeOptions, type EncodeOptions, type SpecialTokenIds, Tokenizer } from './tokenizer.js';
