import type { JsonFields } from './json-fields.js';

/** The model vocabulary: token -> id, and id -> token built on first use. */
export interface VocabTable {
  tokenToId(token: string): number | undefined;
  /** Number of entries (Rust `get_vocab_size`). */
  readonly size: number;
  /** Tokens by id (holes are undefined); built on first use. */
  readonly idToToken: readonly (string | undefined)[];
}

/** Merges resolved to ids, in rank order, with the characters on each side of the join. */
export interface ResolvedMerges {
  count: number;
  left: Int32Array;
  right: Int32Array;
  merged: Int32Array;
  /** Last code point of the left part and first code point of the right part. */
  leftLast: Int32Array;
  rightFirst: Int32Array;
}

export function isTokenId(value: unknown): value is number {
  return typeof value === 'number' && value >= 0 && value < 2 ** 31 && Number.isInteger(value);
}

/**
 * The parsed `model.vocab` object used as the lookup table directly: copying 262k entries into a Map
 * costs more than the rest of the load. Ids of entries are validated when the id table is built.
 */
export class ObjectVocab implements VocabTable {
  private inverse: string[] | null = null;
  private count = -1;

  constructor(
    private readonly vocab: Record<string, unknown>,
    private readonly fields: JsonFields,
  ) {}

  tokenToId(token: string): number | undefined {
    const id = this.vocab[token];
    return isTokenId(id) && Object.hasOwn(this.vocab, token) ? id : undefined;
  }

  get size(): number {
    if (this.count < 0) this.count = Object.keys(this.vocab).length;
    return this.count;
  }

  get idToToken(): readonly (string | undefined)[] {
    if (this.inverse === null) {
      const inverse: string[] = [];
      for (const token in this.vocab) {
        const id = this.vocab[token];
        if (!isTokenId(id)) {
          this.fields.fail(
            `model.vocab[${JSON.stringify(token)}]`,
            'expected a non-negative integer token id',
          );
        }
        inverse[id] = token;
      }
      this.inverse = inverse;
    }
    return this.inverse;
  }
}

/** Resolves `model.merges` of a parsed tokenizer.json (pairs or "a b" strings) against the vocabulary. */
export function resolveJsonMerges(list: unknown, vocab: VocabTable, fields: JsonFields): ResolvedMerges {
  const entries = fields.array(list, 'model.merges');
  const count = entries.length;
  const merges: ResolvedMerges = {
    count,
    left: new Int32Array(count),
    right: new Int32Array(count),
    merged: new Int32Array(count),
    leftLast: new Int32Array(count),
    rightFirst: new Int32Array(count),
  };
  for (let i = 0; i < count; i++) {
    const entry = entries[i];
    let left: unknown;
    let right: unknown;
    if (Array.isArray(entry) && entry.length === 2) {
      left = entry[0];
      right = entry[1];
    } else if (typeof entry === 'string') {
      const parts = entry.split(' ');
      if (parts.length !== 2) fields.fail(`model.merges[${i}]`, 'expected "left right"');
      [left, right] = parts;
    } else {
      fields.fail(`model.merges[${i}]`, 'expected ["left", "right"] or "left right"');
    }
    if (typeof left !== 'string' || typeof right !== 'string' || left === '' || right === '') {
      fields.fail(`model.merges[${i}]`, 'merge parts must be non-empty strings');
    }
    const a = vocab.tokenToId(left);
    const b = vocab.tokenToId(right);
    const merged = vocab.tokenToId(left + right);
    if (a === undefined || b === undefined || merged === undefined) {
      const missing = a === undefined ? left : b === undefined ? right : left + right;
      fields.fail(
        `model.merges[${i}]`,
        `token ${JSON.stringify(missing)} is not in model.vocab (with an integer id)`,
      );
    }
    merges.left[i] = a;
    merges.right[i] = b;
    merges.merged[i] = merged;
    merges.leftLast[i] = lastCodePoint(left);
    merges.rightFirst[i] = right.codePointAt(0)!;
  }
  return merges;
}

function lastCodePoint(text: string): number {
  const last = text.charCodeAt(text.length - 1);
  if (last >= 0xdc00 && last <= 0xdfff && text.length >= 2) return text.codePointAt(text.length - 2)!;
  return last;
}
