import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GgufInputError } from './errors/gguf-input-error.js';
import { TokenType } from './gguf-constants.js';
import type { GgufMetadata } from './gguf-metadata.js';

/** The `tokenizer.ggml.*` arrays for llama.cpp's SentencePiece ("llama") tokenizer. */
export interface GgufVocab {
  readonly tokens: string[];
  readonly scores: Float32Array;
  readonly tokenTypes: Int32Array;
  readonly bosId: number;
  readonly eosId: number;
  readonly unkId: number;
  readonly padId: number;
  readonly chatTemplate: string | undefined;
}

interface TokenizerJson {
  model?: {
    type?: string;
    vocab?: Record<string, number>;
    merges?: (string | [string, string])[];
    unk_token?: string;
  };
  added_tokens?: { id: number; content: string; special: boolean }[];
}

const BYTE_TOKEN = /^<0x[0-9A-F]{2}>$/;

/**
 * Builds llama.cpp's SentencePiece vocabulary from a Hugging Face `tokenizer.json` (Gemma 3: BPE
 * with byte fallback, converted from a SentencePiece BPE model, so no `tokenizer.model` is needed).
 * SentencePiece BPE merges the adjacent pair whose merged piece has the highest score; the
 * tokenizer.json merges are in that order, so a piece made by merge number r gets score -r
 * (earlier merge, higher score). Pieces no merge makes get 0 if they are single characters, bytes
 * or added tokens, else a score below every merge. `vocabSize` (config.json's) fixes the length: ids
 * past it are dropped, missing ids become `[PAD<id>]` (UNUSED), as convert_hf_to_gguf.py does. Types: `<unk>` UNKNOWN, `<0xXX>` BYTE, added
 * tokens CONTROL (special) or USER_DEFINED, the rest NORMAL.
 */
export async function loadGemma3Vocab(dir: string, vocabSize?: number): Promise<GgufVocab> {
  const path = join(dir, 'tokenizer.json');
  let json: TokenizerJson;
  try {
    json = JSON.parse(await readFile(path, 'utf8')) as TokenizerJson;
  } catch (error) {
    throw new GgufInputError(path, 'cannot read tokenizer.json (needed for the GGUF vocabulary)', error);
  }
  const model = json.model;
  if (model?.type !== 'BPE' || model.vocab === undefined || model.merges === undefined) {
    throw new GgufInputError(path, `model.type must be BPE with vocab and merges (got ${model?.type})`);
  }
  let size = vocabSize ?? 0;
  if (vocabSize === undefined) {
    for (const id of Object.values(model.vocab)) size = Math.max(size, id + 1);
    for (const added of json.added_tokens ?? []) size = Math.max(size, added.id + 1);
  }
  const tokens: (string | undefined)[] = new Array(size);
  for (const [piece, id] of Object.entries(model.vocab)) if (id < size) tokens[id] = piece;
  const types = new Int32Array(size).fill(TokenType.NORMAL);
  const scores = new Float32Array(size).fill(Number.NaN);
  const ids = new Map<string, number>();
  for (const added of json.added_tokens ?? []) {
    if (added.id >= size) continue; // beyond the model's vocab_size (as convert_hf_to_gguf.py skips them)
    tokens[added.id] = added.content;
    types[added.id] = added.special ? TokenType.CONTROL : TokenType.USER_DEFINED;
    scores[added.id] = 0;
  }
  for (let id = 0; id < size; id++) {
    const piece = tokens[id];
    if (piece === undefined) {
      tokens[id] = `[PAD${id}]`;
      types[id] = TokenType.UNUSED;
      scores[id] = 0;
    } else {
      ids.set(piece, id);
      if (BYTE_TOKEN.test(piece)) {
        types[id] = TokenType.BYTE;
        scores[id] = 0;
      }
    }
  }
  const unkId = ids.get(model.unk_token ?? '<unk>') ?? 3;
  types[unkId] = TokenType.UNKNOWN;
  scores[unkId] = 0;

  model.merges.forEach((merge, rank) => {
    const [a, b] = typeof merge === 'string' ? splitMerge(merge) : merge;
    const id = ids.get(a + b);
    if (id !== undefined && Number.isNaN(scores[id] as number)) scores[id] = -rank;
  });
  const lowest = -model.merges.length;
  for (let id = 0; id < size; id++) {
    if (!Number.isNaN(scores[id] as number)) continue;
    scores[id] = [...(tokens[id] as string)].length === 1 ? 0 : lowest;
  }

  const config = await readJson(join(dir, 'tokenizer_config.json'));
  const idOf = (field: string, fallback: string, fallbackId: number) => {
    const content = tokenContent(config?.[field]) ?? fallback;
    return ids.get(content) ?? fallbackId;
  };
  const template = config?.chat_template;
  return {
    tokens: tokens as string[],
    scores,
    tokenTypes: types,
    bosId: idOf('bos_token', '<bos>', 2),
    eosId: idOf('eos_token', '<eos>', 1),
    unkId,
    padId: idOf('pad_token', '<pad>', 0),
    chatTemplate: typeof template === 'string' ? template : undefined,
  };
}

function splitMerge(merge: string): [string, string] {
  const at = merge.indexOf(' ', 1);
  return [merge.slice(0, at), merge.slice(at + 1)];
}

function tokenContent(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { content?: unknown }).content === 'string'
  ) {
    return (value as { content: string }).content;
  }
  return undefined;
}

async function readJson(path: string): Promise<Record<string, unknown> | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** The `tokenizer.ggml.*` metadata of a vocabulary. */
export function vocabMetadata(vocab: GgufVocab): GgufMetadata {
  const entries: [string, GgufMetadata[number][1]][] = [
    ['tokenizer.ggml.model', { type: 'string', value: 'llama' }],
    ['tokenizer.ggml.pre', { type: 'string', value: 'default' }],
    ['tokenizer.ggml.tokens', { type: 'array', itemType: 'string', value: vocab.tokens }],
    ['tokenizer.ggml.scores', { type: 'array', itemType: 'float32', value: vocab.scores }],
    ['tokenizer.ggml.token_type', { type: 'array', itemType: 'int32', value: vocab.tokenTypes }],
    ['tokenizer.ggml.bos_token_id', { type: 'uint32', value: vocab.bosId }],
    ['tokenizer.ggml.eos_token_id', { type: 'uint32', value: vocab.eosId }],
    ['tokenizer.ggml.unknown_token_id', { type: 'uint32', value: vocab.unkId }],
    ['tokenizer.ggml.padding_token_id', { type: 'uint32', value: vocab.padId }],
    ['tokenizer.ggml.add_bos_token', { type: 'bool', value: true }],
    ['tokenizer.ggml.add_eos_token', { type: 'bool', value: false }],
    ['tokenizer.ggml.add_space_prefix', { type: 'bool', value: false }],
  ];
  if (vocab.chatTemplate !== undefined) {
    entries.push(['tokenizer.chat_template', { type: 'string', value: vocab.chatTemplate }]);
  }
  return entries;
}
