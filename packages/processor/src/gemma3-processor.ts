import { loadPreprocessorConfig } from '@gemma3/config';
import {
  Gemma3ImageProcessor,
  Gemma3ImageProcessorFast,
  type ImageInput,
  type ImageLimits,
  type PixelValues,
  type PreprocessOptions,
  type PreprocessorConfigJson,
} from '@gemma3/image-processor';
import type { ChatContentItem, ChatMessage, ChatTemplateLimits, Tokenizer } from '@gemma3/tokenizer';
import { Tokenizer as TokenizerClass } from '@gemma3/tokenizer';
import { ImageCountMismatchError } from './errors/image-count-mismatch-error.js';
import { InvalidProcessorInputError } from './errors/invalid-processor-input-error.js';
import {
  countMarkers,
  expandImageMarkers,
  type ImageTokenStrings,
  imageReplacementText,
} from './image-token-text.js';
import { type LengthOptions, padBatch } from './pad-batch.js';
import { readProcessorChatTemplate } from './read-chat-template.js';

/** Model inputs, ready for the multimodal model's `forward`/`generate`. */
export interface ProcessorOutput {
  /** [B, T] token ids, left-padded in batches. */
  readonly inputIds: number[][];
  /** [B, T] 1 on real tokens, 0 on padding. */
  readonly attentionMask: number[][];
  /** [B, T] 1 on `<image_soft_token>` positions, else 0. */
  readonly tokenTypeIds: number[][];
  /** float32 [N, 3, H, W] for all images of the batch in prompt order (each image, then its crops); absent without images. */
  readonly pixelValues?: PixelValues;
  /** Crops per image, in the same order. */
  readonly numCrops: number[];
}

export interface ProcessOptions extends LengthOptions, Omit<PreprocessOptions, 'fetch'> {
  /** Used for http(s) image URLs. */
  readonly fetch?: typeof fetch;
}

export interface ChatTemplateCallOptions extends ProcessOptions {
  readonly addGenerationPrompt?: boolean;
  /** Leave the final message open for the model to continue (the tokenizer's option; not with addGenerationPrompt). */
  readonly continueFinalMessage?: boolean;
  /** Default true: tokenize and process images. False: return the rendered prompt text. */
  readonly tokenize?: boolean;
  /** Overrides the processor's chat template. */
  readonly chatTemplate?: string;
  readonly templateLimits?: ChatTemplateLimits;
}

/** A chat message whose image items carry the image under `image`, `url`, `path` or `base64`. */
export type ProcessorChatMessage = ChatMessage;

type ImageProcessor = Gemma3ImageProcessor | Gemma3ImageProcessorFast;

export interface Gemma3ProcessorOptions {
  /** `<image_soft_token>`s per image (processor_config.json `image_seq_length`; 256 on released models). */
  readonly imageSeqLength?: number;
  /** Chat template overriding the tokenizer's. */
  readonly chatTemplate?: string;
}

export interface FromPretrainedOptions {
  /** `fast` (default): libvips through sharp. `slow`: pure TypeScript resize matching the PIL backend. */
  readonly imageProcessor?: 'fast' | 'slow';
  readonly limits?: Partial<ImageLimits>;
}

const IMAGE_KEYS = ['image', 'url', 'path', 'base64'] as const;

/**
 * Gemma 3 processor: chat template, `<start_of_image>` expansion (with pan & scan crops), tokenization
 * without a second `<bos>`, token type ids, left-padded batches and pixel values, as the reference
 * `Gemma3Processor` of transformers 5.18.
 */
export class Gemma3Processor {
  readonly tokenizer: Tokenizer;
  readonly imageProcessor: ImageProcessor;
  readonly imageSeqLength: number;
  readonly chatTemplate: string | null;
  private readonly tokens: ImageTokenStrings;
  private readonly imageTokenId: number;
  private readonly bosToken: string | null;

  constructor(tokenizer: Tokenizer, imageProcessor: ImageProcessor, options: Gemma3ProcessorOptions = {}) {
    this.tokenizer = tokenizer;
    this.imageProcessor = imageProcessor;
    this.imageSeqLength = options.imageSeqLength ?? 256;
    if (!Number.isInteger(this.imageSeqLength) || this.imageSeqLength < 1) {
      throw new InvalidProcessorInputError(
        'imageSeqLength',
        `must be a positive integer, got ${this.imageSeqLength}`,
      );
    }
    this.chatTemplate = options.chatTemplate ?? tokenizer.chatTemplate;
    const ids = tokenizer.specialTokenIds;
    if (ids.boi === null || ids.eoi === null || ids.image === null) {
      throw new InvalidProcessorInputError(
        'tokenizer',
        'has no <start_of_image>, <end_of_image> or <image_soft_token> token',
      );
    }
    this.tokens = {
      boi: tokenizer.idToToken(ids.boi),
      eoi: tokenizer.idToToken(ids.eoi),
      image: tokenizer.idToToken(ids.image),
    };
    this.imageTokenId = ids.image;
    this.bosToken = ids.bos === null ? null : tokenizer.idToToken(ids.bos);
  }

  /**
   * Loads tokenizer.json + tokenizer_config.json, preprocessor_config.json (+ processor_config.json for
   * image_seq_length, through @gemma3/config) and chat_template.jinja/.json when present.
   */
  static async fromPretrained(dir: string, options: FromPretrainedOptions = {}): Promise<Gemma3Processor> {
    const [tokenizer, config, chatTemplate] = await Promise.all([
      TokenizerClass.fromPretrained(dir),
      loadPreprocessorConfig(dir),
      readProcessorChatTemplate(dir),
    ]);
    const json = config as unknown as PreprocessorConfigJson;
    const imageOptions = { limits: options.limits };
    const imageProcessor =
      options.imageProcessor === 'slow'
        ? new Gemma3ImageProcessor(json, imageOptions)
        : new Gemma3ImageProcessorFast(json, imageOptions);
    return new Gemma3Processor(tokenizer, imageProcessor, {
      imageSeqLength: config.image_seq_length,
      ...(chatTemplate === undefined ? {} : { chatTemplate }),
    });
  }

  /**
   * Text (one prompt or a batch) with one `<start_of_image>` marker per image. For a batch, `images`
   * is one list per prompt. `<bos>` is added unless the first prompt already starts with it (as the
   * reference's apply_chat_template decides), so a rendered chat prompt never gets a second one.
   */
  async process(
    text: string | readonly string[],
    images: readonly ImageInput[] | readonly (readonly ImageInput[])[] = [],
    options: ProcessOptions = {},
  ): Promise<ProcessorOutput> {
    const texts = typeof text === 'string' ? [text] : text;
    if (!Array.isArray(texts) || texts.length === 0 || texts.some((t) => typeof t !== 'string')) {
      throw new InvalidProcessorInputError('text', 'expected a string or a non-empty array of strings');
    }
    const perPrompt = this.groupImages(texts, images);
    perPrompt.forEach((group, i) => {
      const markers = countMarkers(texts[i]!, this.tokens.boi);
      if (markers !== group.length) throw new ImageCountMismatchError(i, markers, group.length);
    });
    const flat = perPrompt.flat();
    const { maxLength, truncation, truncationSide, paddingSide, ...imageOptions } = options;
    const processed = flat.length > 0 ? await this.imageProcessor.preprocess(flat, imageOptions) : undefined;
    const numCrops = processed?.numCrops ?? [];
    let next = 0;
    const addBos = this.bosToken === null || !texts[0]!.startsWith(this.bosToken);
    const sequences = texts.map((t, i) => {
      const replacements = perPrompt[i]!.map(() =>
        imageReplacementText(this.tokens, this.imageSeqLength, numCrops[next++]!),
      );
      return this.tokenizer.encode(expandImageMarkers(t, this.tokens.boi, replacements), {
        addSpecialTokens: addBos,
      });
    });
    const padId = this.tokenizer.specialTokenIds.pad ?? 0;
    const batch = padBatch(
      sequences,
      this.imageTokenId,
      padId,
      { maxLength, truncation, truncationSide, paddingSide },
      { paddingSide: this.tokenizer.paddingSide, truncationSide: this.tokenizer.truncationSide },
    );
    return { ...batch, ...(processed ? { pixelValues: processed.pixelValues } : {}), numCrops };
  }

  /**
   * Renders the chat template (one conversation, or a batch of them) and, with `tokenize` (default),
   * loads the messages' images (path, Buffer, data URI, URL, raw pixels under `image`, `url`, `path`
   * or `base64`) and processes everything like `process`.
   */
  async applyChatTemplate(
    messages: readonly ProcessorChatMessage[] | readonly (readonly ProcessorChatMessage[])[],
    options: ChatTemplateCallOptions & { tokenize: false },
  ): Promise<string | string[]>;
  async applyChatTemplate(
    messages: readonly ProcessorChatMessage[] | readonly (readonly ProcessorChatMessage[])[],
    options?: ChatTemplateCallOptions,
  ): Promise<ProcessorOutput>;
  async applyChatTemplate(
    messages: readonly ProcessorChatMessage[] | readonly (readonly ProcessorChatMessage[])[],
    options: ChatTemplateCallOptions = {},
  ): Promise<ProcessorOutput | string | string[]> {
    const batched = Array.isArray(messages[0]);
    const conversations = (batched ? messages : [messages]) as readonly (readonly ProcessorChatMessage[])[];
    const {
      addGenerationPrompt,
      continueFinalMessage,
      tokenize = true,
      chatTemplate,
      templateLimits,
      ...processOptions
    } = options;
    const rendered: string[] = [];
    const images: ImageInput[][] = [];
    conversations.forEach((conversation, c) => {
      const { stripped, found } = this.extractImages(conversation, batched ? `messages[${c}]` : 'messages');
      images.push(found);
      rendered.push(
        this.tokenizer.applyChatTemplate(stripped, {
          addGenerationPrompt,
          ...(continueFinalMessage === undefined ? {} : { continueFinalMessage }),
          ...((chatTemplate ?? this.chatTemplate)
            ? { chatTemplate: (chatTemplate ?? this.chatTemplate)! }
            : {}),
          ...(templateLimits ? { limits: templateLimits } : {}),
        }),
      );
    });
    if (!tokenize) return batched ? rendered : rendered[0]!;
    return this.process(rendered, images, processOptions);
  }

  /** Image items keep only `type` for the template; their payloads are collected in order. */
  private extractImages(
    conversation: readonly ProcessorChatMessage[],
    where: string,
  ): { stripped: ChatMessage[]; found: ImageInput[] } {
    if (!Array.isArray(conversation))
      throw new InvalidProcessorInputError(where, 'expected an array of messages');
    const found: ImageInput[] = [];
    const stripped = conversation.map((message, m) => {
      if (typeof message !== 'object' || message === null || typeof message.content === 'undefined') {
        throw new InvalidProcessorInputError(`${where}[${m}]`, 'expected { role, content }');
      }
      if (typeof message.content === 'string') return message;
      const content = message.content.map((item: ChatContentItem, k: number) => {
        if (item?.type !== 'image') return item;
        const key = IMAGE_KEYS.find((name) => name in item && item[name] !== undefined);
        if (key === undefined) {
          throw new InvalidProcessorInputError(
            `${where}[${m}].content[${k}]`,
            'image item without image, url, path or base64',
          );
        }
        const value = item[key];
        found.push(
          (key === 'base64' && typeof value === 'string' && !value.startsWith('data:')
            ? `data:image/*;base64,${value}`
            : value) as ImageInput,
        );
        return { type: 'image' as const };
      });
      return { ...message, content };
    });
    return { stripped, found };
  }

  private groupImages(
    texts: readonly string[],
    images: readonly ImageInput[] | readonly (readonly ImageInput[])[],
  ): (readonly ImageInput[])[] {
    if (!Array.isArray(images)) throw new InvalidProcessorInputError('images', 'expected an array');
    if (images.length === 0) return texts.map(() => []);
    const nested = images.every((x) => Array.isArray(x));
    if (nested) {
      if (images.length !== texts.length) {
        throw new InvalidProcessorInputError(
          'images',
          `${images.length} image lists for ${texts.length} prompts`,
        );
      }
      return images as (readonly ImageInput[])[];
    }
    if (texts.length !== 1) {
      throw new InvalidProcessorInputError(
        'images',
        'with several prompts, pass one list of images per prompt',
      );
    }
    return [images as readonly ImageInput[]];
  }
}
