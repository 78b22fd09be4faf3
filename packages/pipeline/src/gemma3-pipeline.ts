import type { ContinuousBatcher, FinishReason, TokenStreamer } from '@gemma3/generation';
import type { ImageInput } from '@gemma3/image-processor';
import type { Gemma3ForConditionalGeneration } from '@gemma3/multimodal-model';
import type { Gemma3Processor, ProcessorOutput } from '@gemma3/processor';
import type { Gemma3ForCausalLM } from '@gemma3/text-model';
import type { ChatMessage, Tokenizer } from '@gemma3/tokenizer';
import type { TransformersJsCausalLM } from '@gemma3/transformers-js';
import { Callable } from './callable.js';
import { appendAnswer, type ChatCallOptions, continuesFinalMessage } from './chat-call-options.js';
import { InvalidPipelineInputError } from './errors/invalid-pipeline-input-error.js';
import { fetchRemoteImage, type PipelineImage } from './load-image.js';
import { isConversation, type PipelineMessage, splitConversation } from './messages.js';
import type { ModelKindInfo } from './model-kind.js';
import {
  type BatchedResult,
  batcherServes,
  createPipelineBatcher,
  type OneRowGeneration,
  type PipelineBatchExtra,
  toSequenceRequest,
} from './pipeline-batcher.js';
import type { GenerationCallOptions, ImageCallOptions, PipelineOptions } from './pipeline-options.js';
import {
  prepareStructuredCall,
  type StructuredCallOptions,
  type StructuredOutput,
} from './structured/structured-call.js';
import { TextCallbackStreamer } from './text-callbacks.js';
import { type GenerationTimings, TimingStreamer } from './timings.js';

export type PipelineTask = 'text-generation' | 'image-text-to-text';
export const PIPELINE_TASKS: readonly PipelineTask[] = ['text-generation', 'image-text-to-text'];

/** A prompt string (used as is, after `<bos>`) or a conversation (rendered with the chat template). */
export type PipelineInput = string | readonly PipelineMessage[];

export interface GenerationOutput extends StructuredOutput {
  /** The generated text, special tokens left out. */
  text: string;
  /** The generated ids, up to and including the stopping token (e.g. `<end_of_turn>` = 106). */
  tokenIds: number[];
  /** For conversation input: the messages given plus `{ role: 'assistant', content: text }`. */
  messages?: PipelineMessage[];
  /** 'stop' (eos or a stop string), 'length' (maxNewTokens) or 'abort' (the signal). */
  finishReason: FinishReason;
  /** The stop string that ended generation, if one did. */
  stopString: string | null;
  usage: {
    /** Prompt tokens, image soft tokens included. */
    promptTokens: number;
    completionTokens: number;
    totalTokens: number;
    /** Images in the prompt (pan & scan crops not counted). */
    images: number;
    /** Prompt tokens whose KV state came from the prefix cache (not prefilled again). */
    cachedTokens: number;
  };
  timings: GenerationTimings;
  /** The sampling seed used (repeat a run with it). */
  seed: number;
}

export interface LoadTimings {
  /** Model id or folder to a local folder (downloads included). */
  resolveMs: number;
  /** Model (graph build or cache hit, onnxruntime session), tokenizer / processor. */
  loadMs: number;
}

interface PreparedPrompt {
  inputIds: number[][];
  attentionMask: number[][];
  tokenTypeIds?: number[][];
  pixelValues?: ProcessorOutput['pixelValues'];
  images: number;
}

type CallOptions = GenerationCallOptions & ImageCallOptions & ChatCallOptions & StructuredCallOptions;

/**
 * What `pipeline()` returns: call it with a prompt or messages (`await generator(input, options)`,
 * the same as `generator.run(input, options)`); `dispose()` frees the model.
 */
// biome-ignore lint/correctness/noUnusedVariables: merged with the class below, which uses T.
export interface Gemma3Pipeline<T extends PipelineTask = PipelineTask> {
  // biome-ignore lint/style/useShorthandFunctionType: an interface, to merge with the class.
  (input: PipelineInput, options?: CallOptions): Promise<GenerationOutput>;
}

// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the interface adds the call signature Callable implements.
export class Gemma3Pipeline<T extends PipelineTask = PipelineTask> extends Callable<
  [PipelineInput, CallOptions?],
  Promise<GenerationOutput>
> {
  constructor(
    readonly task: T,
    /** The local model folder (resolved from the id for hub models). */
    readonly modelDir: string,
    readonly modelInfo: ModelKindInfo,
    /** TransformersJsCausalLM for a transformers.js export folder (text-generation only). */
    readonly model: Gemma3ForCausalLM | Gemma3ForConditionalGeneration | TransformersJsCausalLM,
    readonly tokenizer: Tokenizer,
    /** Present for image-text-to-text. */
    readonly processor: Gemma3Processor | undefined,
    readonly loadTimings: LoadTimings,
    private readonly options: PipelineOptions,
  ) {
    super();
    const generationConfig = (model as { generationConfig?: object }).generationConfig;
    this.batcher = createPipelineBatcher(model, generationConfig, options);
  }

  /**
   * Continuous batching and prefix reuse (our ONNX models): concurrent calls share one batch of
   * `parallel` rows, and a prompt that starts like an earlier conversation reuses its KV state.
   * `batcher.stats()` and `batcher.prefixCache?.stats()` say how it goes.
   */
  readonly batcher: ContinuousBatcher<PipelineBatchExtra> | undefined;

  /** Generates the answer to `input`. Streams through `onText` / `onToken` / `streamer` while it runs. */
  async run(input: PipelineInput, callOptions: CallOptions = {}): Promise<GenerationOutput> {
    const options: CallOptions = { ...this.options.generation, ...callOptions };
    const started = performance.now();
    const structured = prepareStructuredCall(input, options, this.tokenizer);
    const prompt = await this.prepare(structured?.input ?? input, options);
    const prepared = performance.now();
    // the model scores ids the tokenizer does not have (Gemma 3: 262208 rows, 262145 tokens): they
    // decode to nothing, as in the reference, rather than failing the call
    const decode = (ids: readonly number[], o?: { skipSpecialTokens?: boolean }) =>
      this.tokenizer.decode(ids, { ...o, skipUnknownIds: true });
    const streamers: TokenStreamer[] = [];
    if (options.streamer) streamers.push(options.streamer);
    if (options.onToken || options.onText) {
      streamers.push(new TextCallbackStreamer(decode, options.onToken, options.onText));
    }
    const timing = new TimingStreamer(streamers);
    const {
      streamer: _streamer,
      onToken: _onToken,
      onText: _onText,
      images: _images,
      panAndScan: _panAndScan,
      continueFinalMessage: _continueFinalMessage,
      responseFormat: _responseFormat,
      tools: _tools,
      toolChoice: _toolChoice,
      ...generation
    } = options;
    const shared = {
      ...generation,
      inputIds: prompt.inputIds,
      attentionMask: prompt.attentionMask,
      decode,
      streamer: timing,
      ...(structured?.constraint === undefined ? {} : { constraints: [structured.constraint] }),
    };
    const batched = this.batcher !== undefined && batcherServes(shared as OneRowGeneration);
    const result: BatchedResult = batched
      ? await this.batcher!.submit(toSequenceRequest(shared as OneRowGeneration, prompt.pixelValues))
      : this.task === 'image-text-to-text'
        ? await (this.model as Gemma3ForConditionalGeneration).generate({
            ...shared,
            ...(prompt.pixelValues === undefined ? {} : { pixelValues: prompt.pixelValues }),
            ...(prompt.tokenTypeIds === undefined ? {} : { tokenTypeIds: prompt.tokenTypeIds }),
          })
        : await (this.model as Gemma3ForCausalLM | TransformersJsCausalLM).generate(shared);
    const ended = performance.now();
    const tokenIds = result.newTokens[0] ?? [];
    const text = decode(tokenIds, { skipSpecialTokens: true });
    const first = timing.firstTokenAt ?? ended;
    const decodeMs = (timing.lastTokenAt ?? first) - first;
    const output: GenerationOutput = {
      text,
      tokenIds,
      finishReason: result.finishReasons[0] ?? 'length',
      stopString: result.stopStrings[0] ?? null,
      usage: { ...result.usage, images: prompt.images, cachedTokens: result.usage.cachedTokens ?? 0 },
      timings: {
        loadMs: this.loadTimings.resolveMs + this.loadTimings.loadMs,
        preprocessMs: prepared - started,
        prefillMs: first - prepared,
        decodeMs,
        totalMs: ended - started,
        tokensPerSecond: tokenIds.length > 1 && decodeMs > 0 ? ((tokenIds.length - 1) * 1000) / decodeMs : 0,
      },
      seed: result.seed,
    };
    if (structured !== undefined) Object.assign(output, structured.finish(text));
    if (typeof input !== 'string') {
      output.messages = appendAnswer(input, text, continuesFinalMessage(input, options));
      if (output.toolCalls !== undefined)
        output.messages[output.messages.length - 1] = {
          role: 'assistant',
          content: '',
          toolCalls: output.toolCalls,
        } as PipelineMessage;
    }
    return output;
  }

  /** The precision of the weights that run: pipeline()'s `dtype`, default q8 (`DEFAULT_DTYPE`). */
  get dtype(): 'fp32' | 'q8' | 'q4' {
    const dtype = this.options.dtype ?? 'fp32';
    return dtype === 'float32' ? 'fp32' : dtype;
  }

  /** Frees the onnxruntime sessions. */
  async dispose(): Promise<void> {
    await this.batcher?.close();
    await this.model.dispose();
  }

  private async prepare(input: PipelineInput, options: CallOptions): Promise<PreparedPrompt> {
    const signal = options.signal;
    if (isConversation(input)) {
      if (options.images !== undefined && options.images.length > 0) {
        throw new InvalidPipelineInputError(
          'images',
          'with chat messages, put the images in the messages ({ type: "image", ... } items)',
        );
      }
      const { messages, images } = splitConversation(input);
      const continueFinalMessage = continuesFinalMessage(input, options);
      const template = { addGenerationPrompt: !continueFinalMessage, continueFinalMessage };
      if (!this.processor) {
        if (images.length > 0) {
          throw new InvalidPipelineInputError(
            images[0]!.field,
            'text-generation takes no images (use the image-text-to-text task)',
          );
        }
        const ids = this.tokenizer.applyChatTemplate(messages, { ...template, tokenize: true });
        return { inputIds: [ids], attentionMask: [ids.map(() => 1)], images: 0 };
      }
      const loaded = await this.loadImages(
        images.map((i) => i.value),
        images.map((i) => i.field),
        signal,
      );
      let next = 0;
      const withImages: ChatMessage[] = messages.map((m) =>
        typeof m.content === 'string'
          ? m
          : {
              ...m,
              content: m.content.map((c) =>
                c.type === 'image' ? { type: 'image', image: loaded[next++] } : c,
              ),
            },
      );
      const processed = await this.processor.applyChatTemplate(withImages, {
        ...template,
        ...(options.panAndScan === undefined ? {} : { doPanAndScan: options.panAndScan }),
      });
      return fromProcessor(processed, loaded.length);
    }
    const images = options.images ?? [];
    if (!Array.isArray(images)) throw new InvalidPipelineInputError('images', 'expected an array of images');
    if (!this.processor) {
      if (images.length > 0) {
        throw new InvalidPipelineInputError(
          'images',
          'text-generation takes no images (use the image-text-to-text task)',
        );
      }
      const ids = this.tokenizer.encode(input);
      return { inputIds: [ids], attentionMask: [ids.map(() => 1)], images: 0 };
    }
    const loaded = await this.loadImages(
      images,
      images.map((_, i) => `images[${i}]`),
      signal,
    );
    const boi = this.tokenizer.specialTokenIds.boi;
    const marker = boi === null ? '' : this.tokenizer.idToToken(boi);
    // A prompt without markers gets one per image in front, as a chat message with images first would.
    const text =
      loaded.length > 0 && !input.includes(marker) ? `${marker.repeat(loaded.length)}${input}` : input;
    const processed = await this.processor.process(text, loaded, {
      ...(options.panAndScan === undefined ? {} : { doPanAndScan: options.panAndScan }),
    });
    return fromProcessor(processed, loaded.length);
  }

  private loadImages(
    images: readonly PipelineImage[],
    fields: readonly string[],
    signal: AbortSignal | undefined,
  ): Promise<ImageInput[]> {
    return Promise.all(
      images.map((image, i) => fetchRemoteImage(image, fields[i]!, this.options.images, signal)),
    );
  }
}

function fromProcessor(processed: ProcessorOutput, images: number): PreparedPrompt {
  return {
    inputIds: processed.inputIds,
    attentionMask: processed.attentionMask,
    tokenTypeIds: processed.tokenTypeIds,
    ...(processed.pixelValues === undefined ? {} : { pixelValues: processed.pixelValues }),
    images,
  };
}
