import { type AddedToken, AddedTokenMatcher, type Piece } from './added-vocabulary.js';
import { type BatchEncoding, type EncodeBatchOptions, padAndTruncate } from './batch.js';
import { BpeModel } from './bpe-model.js';
import { type ChatMessage, type ChatTemplateOptions, renderChatTemplate } from './chat-template.js';
import { buildDecoder, type DecoderChain } from './decoder.js';
import { InvalidTextError } from './errors/invalid-text-error.js';
import { InvalidTokenIdError } from './errors/invalid-token-id-error.js';
import { UnsupportedComponentError } from './errors/unsupported-component-error.js';
import { JsonFields } from './json-fields.js';
import { loadTokenizerFiles, type TokenizerFiles } from './load-files.js';
import { buildNormalizer, type Normalize } from './normalizer.js';
import { buildPostProcessor, type SinglePostProcessor } from './post-processor.js';
import { buildPreTokenizer, type PreTokenize } from './pre-tokenizer.js';
import { StreamDecoder } from './stream-decoder.js';
import { ObjectVocab, type ResolvedMerges, resolveJsonMerges, type VocabTable } from './vocab-table.js';

export interface EncodeOptions {
  /** Add what the post-processor declares (Gemma 3: a leading `<bos>`). Default true. */
  addSpecialTokens?: boolean;
}

export interface DecodeOptions {
  /** Leave out added tokens marked `special` (`<bos>`, `<end_of_turn>`, ...). Default false. */
  skipSpecialTokens?: boolean;
  /**
   * Leave out ids the vocabulary does not have, as the reference's decode does (a Gemma 3 model
   * scores 262208 ids for the tokenizer's 262145, so sampling can pick one). Default false: such an
   * id is an InvalidTokenIdError.
   */
  skipUnknownIds?: boolean;
}

/** Ids of the tokens Gemma 3 code needs by name; `null` where the files do not define one. */
export interface SpecialTokenIds {
  bos: number | null;
  eos: number | null;
  pad: number | null;
  unk: number | null;
  /** `<start_of_image>` (255999 in Gemma 3). */
  boi: number | null;
  /** `<end_of_image>` (256000). */
  eoi: number | null;
  /** `<image_soft_token>` (262144), the placeholder image features replace. */
  image: number | null;
  /** `<end_of_turn>` (106). */
  endOfTurn: number | null;
}

/**
 * A tokenizer.json tokenizer (BPE with byte fallback, as Gemma 3 uses), exact to the Hugging Face
 * `tokenizers` library, with the chat template of tokenizer_config.json.
 */
export class Tokenizer {
  readonly specialTokenIds: SpecialTokenIds;
  private largestId = -1;
  /** `padding_side` of tokenizer_config.json (default right). */
  readonly paddingSide: 'left' | 'right';
  /** `truncation_side` of tokenizer_config.json (default right). */
  readonly truncationSide: 'left' | 'right';
  /** The chat template source from tokenizer_config.json, or null. */
  readonly chatTemplate: string | null;

  private readonly model: BpeModel;
  private readonly normalize: Normalize | null;
  private readonly preTokenize: PreTokenize | null;
  private readonly postProcessor: SinglePostProcessor;
  /** @internal */
  readonly decoder: DecoderChain;
  private readonly addedByContent = new Map<string, AddedToken>();
  private readonly rawMatcher: AddedTokenMatcher;
  private readonly normalizedMatcher: AddedTokenMatcher;
  /** Contents of special added tokens: decode skips a token whose string is one of these (as Rust does). */
  private readonly specialContents = new Set<string>();
  /** Decoding form of added tokens: the content, or its normalized form for `normalized` tokens. */
  private readonly addedDecodeForm = new Map<number, string>();
  private readonly config: Record<string, unknown> | null;
  /** Normalizer folded into the model's character reads, pre-tokenizer provably a no-op (see encode). */
  private readonly fastPath: boolean;

  /** Loads `dir/tokenizer.json` + `dir/tokenizer_config.json`, or a tokenizer.json path (config beside it, optional). */
  static async fromPretrained(dirOrTokenizerJsonPath: string): Promise<Tokenizer> {
    return new Tokenizer(await loadTokenizerFiles(dirOrTokenizerJsonPath));
  }

  /** @internal Use `Tokenizer.fromPretrained`. */
  constructor(files: TokenizerFiles) {
    const fields = new JsonFields(files.tokenizerJsonPath);
    const root = fields.object(files.tokenizerJson, '');
    for (const option of ['truncation', 'padding'] as const) {
      if (root[option] !== null && root[option] !== undefined) {
        throw new UnsupportedComponentError({
          file: fields.file,
          component: option,
          componentType: 'non-null (set them per call)',
        });
      }
    }
    const modelSpec = fields.object(root.model, 'model');
    const modelType = modelSpec.type === undefined ? 'BPE' : fields.string(modelSpec.type, 'model.type');
    if (modelType !== 'BPE')
      throw new UnsupportedComponentError({
        file: fields.file,
        component: 'model',
        componentType: modelType,
      });
    let vocab: VocabTable;
    let merges: ResolvedMerges;
    if (files.prebuilt) {
      ({ vocab, merges } = files.prebuilt);
    } else {
      vocab = new ObjectVocab(fields.object(modelSpec.vocab, 'model.vocab'), fields);
      merges = resolveJsonMerges(modelSpec.merges, vocab, fields);
    }
    this.model = new BpeModel(modelSpec, fields, vocab, merges);
    this.normalize = buildNormalizer(root.normalizer, fields);
    this.preTokenize = buildPreTokenizer(root.pre_tokenizer, fields);
    this.postProcessor = buildPostProcessor(root.post_processor, fields);
    this.decoder = buildDecoder(root.decoder, fields);

    const added = (
      root.added_tokens === undefined ? [] : fields.array(root.added_tokens, 'added_tokens')
    ).map((item, i) => parseAddedToken(item, fields, `added_tokens[${i}]`));
    assignAddedTokenIds(added, this.model);
    for (const token of added) {
      if (!this.addedByContent.has(token.content)) this.addedByContent.set(token.content, token);
      if (token.special) this.specialContents.add(token.content);
    }
    const normalize = this.normalize;
    const rawTokens = added.filter((t) => !t.normalized);
    const normalizedTokens = added.filter((t) => t.normalized);
    this.rawMatcher = new AddedTokenMatcher(
      rawTokens,
      rawTokens.map((t) => t.content),
    );
    const normalizedPatterns = normalizedTokens.map((t) => (normalize ? normalize(t.content) : t.content));
    this.normalizedMatcher = new AddedTokenMatcher(normalizedTokens, normalizedPatterns);
    for (const token of added)
      if (!this.addedDecodeForm.has(token.id)) this.addedDecodeForm.set(token.id, token.content);
    normalizedTokens.forEach((token, i) => {
      this.addedDecodeForm.set(token.id, normalizedPatterns[i]!);
    });

    const replace = singleCharacterReplace(root.normalizer);
    this.fastPath =
      replace !== null &&
      normalizedTokens.length === 0 &&
      !this.model.ignoresMerges &&
      splitCannotMatch(root.pre_tokenizer, String.fromCodePoint(replace[0]));
    if (this.fastPath && replace) this.model.mapCharacter(replace[0], replace[1]);

    this.config = files.config;
    const config = files.config ?? {};
    this.paddingSide = config.padding_side === 'left' ? 'left' : 'right';
    this.truncationSide = config.truncation_side === 'left' ? 'left' : 'right';
    this.chatTemplate = typeof config.chat_template === 'string' ? config.chat_template : null;
    const named = (key: string, fallback: string | null): number | null => {
      const value = tokenContent(config[key]) ?? fallback;
      return value === null ? null : (this.tokenToId(value) ?? null);
    };
    this.specialTokenIds = {
      bos: named('bos_token', '<bos>'),
      eos: named('eos_token', '<eos>'),
      pad: named('pad_token', '<pad>'),
      unk: named('unk_token', '<unk>'),
      boi: named('boi_token', '<start_of_image>'),
      eoi: named('eoi_token', '<end_of_image>'),
      image: named('image_token', '<image_soft_token>'),
      endOfTurn: named('end_of_turn_token', '<end_of_turn>'),
    };
  }

  /** Text -> ids. Added tokens written in the text (`<start_of_turn>`, `<bos>`, ...) become their ids. */
  encode(text: string, options: EncodeOptions = {}): number[] {
    checkText(text);
    const out: number[] = [];
    const addSpecial = options.addSpecialTokens ?? true;
    if (addSpecial) for (const id of this.postProcessor.prefix) out.push(id);
    const pieces: Piece[] = [];
    this.rawMatcher.split(text, pieces);
    const words: string[] = [];
    const normalizedPieces: Piece[] = [];
    for (const piece of pieces) {
      if (piece.id !== undefined) {
        out.push(piece.id);
        continue;
      }
      if (this.fastPath) {
        this.model.encodeWord(piece.text, out);
        continue;
      }
      const normalized = this.normalize ? this.normalize(piece.text) : piece.text;
      normalizedPieces.length = 0;
      this.normalizedMatcher.split(normalized, normalizedPieces);
      for (const part of normalizedPieces) {
        if (part.id !== undefined) {
          out.push(part.id);
          continue;
        }
        if (this.preTokenize === null) {
          this.model.encodeWord(part.text, out);
          continue;
        }
        words.length = 0;
        this.preTokenize(part.text, words);
        for (const word of words) this.model.encodeWord(word, out);
      }
    }
    if (addSpecial) for (const id of this.postProcessor.suffix) out.push(id);
    return out;
  }

  /** Encodes several texts and pads (and, when asked, truncates) them to one length, with attention masks. */
  encodeBatch(texts: readonly string[], options: EncodeBatchOptions = {}): BatchEncoding {
    const sequences = texts.map((text) => this.encode(text, options));
    return padAndTruncate(sequences, options, {
      padId: this.specialTokenIds.pad,
      paddingSide: this.paddingSide,
      truncationSide: this.truncationSide,
    });
  }

  /**
   * Ids -> text with the file's decoder chain. Ids outside the vocabulary throw InvalidTokenIdError,
   * or are left out with `skipUnknownIds`.
   */
  decode(ids: ArrayLike<number>, options: DecodeOptions = {}): string {
    const skip = options.skipSpecialTokens ?? false;
    const skipUnknown = options.skipUnknownIds ?? false;
    const tokens: string[] = [];
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      const token = this.findToken(id);
      if (token === undefined) {
        if (skipUnknown) continue;
        throw new InvalidTokenIdError({ id, index: i, vocabSize: this.vocabSize });
      }
      if (skip && this.specialContents.has(token)) continue;
      tokens.push(token);
    }
    return this.decodeTokens(tokens);
  }

  /** @internal Runs the decoder chain over token strings and joins the result. */
  decodeTokens(tokens: string[]): string {
    let parts = tokens;
    for (const step of this.decoder.steps) parts = step(parts);
    return parts.join('');
  }

  /** An incremental decoder for streaming: `push(id)` returns new text, never half a character. */
  createStreamDecoder(options: DecodeOptions = {}): StreamDecoder {
    return new StreamDecoder(this, options.skipSpecialTokens ?? false, options.skipUnknownIds ?? false);
  }

  /** @internal Whether decode with skipSpecialTokens leaves this token string out. */
  isSpecialToken(token: string): boolean {
    return this.specialContents.has(token);
  }

  /**
   * The token string of an id, as decoding sees it (added tokens first, normalized ones in their
   * normalized form, then the model vocabulary); throws InvalidTokenIdError when there is none.
   */
  idToToken(id: number): string {
    return this.tokenOf(id, -1);
  }

  /** The id of a token string, or undefined. */
  tokenToId(token: string): number | undefined {
    return this.addedByContent.get(token)?.id ?? this.model.tokenToId(token);
  }

  /** Number of ids: one more than the largest id of the model vocabulary or added tokens. */
  get vocabSize(): number {
    if (this.largestId < 0) {
      let largest = this.model.idToToken.length - 1;
      for (const id of this.addedDecodeForm.keys()) largest = Math.max(largest, id);
      this.largestId = largest;
    }
    return this.largestId + 1;
  }

  /**
   * Renders tokenizer_config's chat template (bounded: see ChatTemplateOptions.limits). With `tokenize`,
   * returns the ids of the rendered prompt, encoded without adding another `<bos>`.
   */
  applyChatTemplate(
    messages: readonly ChatMessage[],
    options: ChatTemplateOptions & { tokenize: true },
  ): number[];
  applyChatTemplate(
    messages: readonly ChatMessage[],
    options?: ChatTemplateOptions & { tokenize?: false },
  ): string;
  applyChatTemplate(messages: readonly ChatMessage[], options: ChatTemplateOptions = {}): string | number[] {
    const text = renderChatTemplate(
      options.chatTemplate ?? this.chatTemplate,
      messages,
      options,
      this.config ?? {},
    );
    return options.tokenize ? this.encode(text, { addSpecialTokens: false }) : text;
  }

  /** @internal The token string of `id`, or undefined when the vocabulary has none. */
  findToken(id: number): string | undefined {
    return Number.isInteger(id) && id >= 0
      ? (this.addedDecodeForm.get(id) ?? this.model.idToToken[id])
      : undefined;
  }

  private tokenOf(id: number, index: number): string {
    const token = this.findToken(id);
    if (token === undefined) throw new InvalidTokenIdError({ id, index, vocabSize: this.vocabSize });
    return token;
  }
}

/**
 * Ids as the Rust library assigns them when it loads added_tokens (the `id` fields are not used): a token
 * already known (model vocabulary or an earlier added token) keeps that id; a new one gets the model's
 * vocabulary size, or one more than the largest added id when that is already past it.
 */
function assignAddedTokenIds(added: AddedToken[], model: BpeModel): void {
  const known = new Map<string, number>();
  let maxAdded = -1;
  for (const token of added) {
    let id = known.get(token.content) ?? model.tokenToId(token.content);
    if (id === undefined) {
      const size = model.size;
      id = maxAdded < 0 ? size : maxAdded >= size || size === 0 ? maxAdded + 1 : size;
    }
    token.id = id;
    known.set(token.content, id);
    if (id > maxAdded) maxAdded = id;
  }
}

/** [from, to] code points when the normalizer is one Replace of one character by another, else null. */
function singleCharacterReplace(spec: unknown): [number, number] | null {
  const node = spec as { type?: unknown; pattern?: { String?: unknown }; content?: unknown } | null;
  if (
    node?.type !== 'Replace' ||
    typeof node.pattern?.String !== 'string' ||
    typeof node.content !== 'string'
  )
    return null;
  const from = [...node.pattern.String];
  const to = [...node.content];
  if (from.length !== 1 || to.length !== 1 || from[0] === to[0]) return null;
  return [from[0]!.codePointAt(0)!, to[0]!.codePointAt(0)!];
}

/**
 * True when the pre-tokenizer cannot split text from which every `removed` character was replaced away:
 * none at all, or a Split on a String pattern that contains `removed` (Gemma 3: Split on ' ').
 */
function splitCannotMatch(spec: unknown, removed: string): boolean {
  if (spec === null || spec === undefined) return true;
  const node = spec as { type?: unknown; pattern?: { String?: unknown }; invert?: unknown };
  return (
    node.type === 'Split' &&
    typeof node.pattern?.String === 'string' &&
    node.pattern.String.includes(removed) &&
    node.invert !== true
  );
}

function parseAddedToken(item: unknown, fields: JsonFields, path: string): AddedToken {
  const node = fields.object(item, path);
  return {
    id: fields.tokenId(node.id, `${path}.id`),
    content: fields.string(node.content, `${path}.content`),
    special: fields.boolean(node.special, `${path}.special`, false),
    lstrip: fields.boolean(node.lstrip, `${path}.lstrip`, false),
    rstrip: fields.boolean(node.rstrip, `${path}.rstrip`, false),
    normalized: fields.boolean(node.normalized, `${path}.normalized`, !(node.special === true)),
    singleWord: fields.boolean(node.single_word, `${path}.single_word`, false),
  };
}

/** A tokenizer_config token entry: a string or `{ content }` (AddedToken serialisation). */
function tokenContent(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { content?: unknown }).content === 'string'
  ) {
    return (value as { content: string }).content;
  }
  return null;
}

const loneSurrogate = /\p{Cs}/u;

function checkText(text: unknown): asserts text is string {
  if (typeof text !== 'string')
    throw new InvalidTextError({ index: -1, reason: `expected a string, got ${typeof text}` });
  const match = loneSurrogate.exec(text);
  if (match)
    throw new InvalidTextError({ index: match.index, reason: 'lone UTF-16 surrogate (not valid Unicode)' });
}
