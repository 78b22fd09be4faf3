import type { VocabTable } from './vocab-table.js';

const EMPTY = -1;
const encoder = new TextEncoder();
const loneSurrogate = /\p{Cs}/u;

/**
 * Token -> id table keyed by the tokens' UTF-8 bytes (FNV-1a hash, open addressing), so the vocabulary
 * and merges of a tokenizer.json can be resolved from the file's bytes without creating a JS string per
 * token. Token strings are made on first use of the id table.
 */
export class ByteVocab implements VocabTable {
  private ids: Int32Array;
  private hashes: Int32Array;
  private starts: Int32Array;
  private lengths: Int32Array;
  private mask: number;
  /** UTF-8 bytes of every token, back to back. */
  private pool: Uint8Array;
  private poolUsed = 0;
  private count = 0;
  private largestId = -1;
  private inverse: string[] | null = null;
  private scratch = new Uint8Array(1024);

  constructor(expectedEntries: number, expectedBytes: number) {
    let capacity = 1024;
    while (capacity < expectedEntries * 2) capacity *= 2;
    this.ids = new Int32Array(capacity).fill(EMPTY);
    this.hashes = new Int32Array(capacity);
    this.starts = new Int32Array(capacity);
    this.lengths = new Int32Array(capacity);
    this.mask = capacity - 1;
    this.pool = new Uint8Array(Math.max(1024, expectedBytes));
  }

  get size(): number {
    return this.count;
  }

  /** Inserts bytes[start, end) -> id; a repeated token keeps the later id (as JSON.parse would). */
  insert(bytes: Uint8Array, start: number, end: number, id: number): void {
    if ((this.count + 1) * 2 > this.ids.length) this.grow();
    const hash = fnv(bytes, start, end, 0x811c9dc5 | 0);
    let slot = hash & this.mask;
    for (;;) {
      if (this.ids[slot] === EMPTY) break;
      if (this.hashes[slot] === hash && this.equals(slot, bytes, start, end, bytes, end, end)) {
        this.ids[slot] = id;
        this.largestId = Math.max(this.largestId, id);
        return;
      }
      slot = (slot + 1) & this.mask;
    }
    const length = end - start;
    if (this.poolUsed + length > this.pool.length) {
      const grown = new Uint8Array(Math.max(this.pool.length * 2, this.poolUsed + length));
      grown.set(this.pool.subarray(0, this.poolUsed));
      this.pool = grown;
    }
    this.pool.set(bytes.subarray(start, end), this.poolUsed);
    this.ids[slot] = id;
    this.hashes[slot] = hash;
    this.starts[slot] = this.poolUsed;
    this.lengths[slot] = length;
    this.poolUsed += length;
    this.count++;
    this.largestId = Math.max(this.largestId, id);
    this.inverse = null;
  }

  /** Id of the token whose bytes are a[aStart, aEnd) followed by b[bStart, bEnd), or -1. */
  lookup(a: Uint8Array, aStart: number, aEnd: number, b: Uint8Array, bStart: number, bEnd: number): number {
    const hash = fnv(b, bStart, bEnd, fnv(a, aStart, aEnd, 0x811c9dc5 | 0));
    let slot = hash & this.mask;
    for (;;) {
      const id = this.ids[slot]!;
      if (id === EMPTY) return -1;
      if (this.hashes[slot] === hash && this.equals(slot, a, aStart, aEnd, b, bStart, bEnd)) return id;
      slot = (slot + 1) & this.mask;
    }
  }

  tokenToId(token: string): number | undefined {
    // A lone surrogate would be encoded as U+FFFD and find that token instead: no vocabulary has it.
    if (loneSurrogate.test(token)) return undefined;
    if (this.scratch.length < token.length * 3) this.scratch = new Uint8Array(token.length * 3);
    const { written } = encoder.encodeInto(token, this.scratch);
    const id = this.lookup(this.scratch, 0, written, this.scratch, 0, 0);
    return id === -1 ? undefined : id;
  }

  get idToToken(): readonly (string | undefined)[] {
    if (this.inverse === null) {
      const inverse: string[] = new Array(this.largestId + 1);
      const pool = Buffer.from(this.pool.buffer, this.pool.byteOffset, this.poolUsed);
      for (let slot = 0; slot < this.ids.length; slot++) {
        const id = this.ids[slot]!;
        if (id !== EMPTY)
          inverse[id] = pool.toString('utf8', this.starts[slot]!, this.starts[slot]! + this.lengths[slot]!);
      }
      this.inverse = inverse;
    }
    return this.inverse;
  }

  private equals(
    slot: number,
    a: Uint8Array,
    aStart: number,
    aEnd: number,
    b: Uint8Array,
    bStart: number,
    bEnd: number,
  ): boolean {
    const aLength = aEnd - aStart;
    if (this.lengths[slot] !== aLength + (bEnd - bStart)) return false;
    const pool = this.pool;
    let p = this.starts[slot]!;
    for (let i = aStart; i < aEnd; i++) if (pool[p++] !== a[i]) return false;
    for (let i = bStart; i < bEnd; i++) if (pool[p++] !== b[i]) return false;
    return true;
  }

  private grow(): void {
    const { ids, hashes, starts, lengths } = this;
    const capacity = ids.length * 2;
    this.ids = new Int32Array(capacity).fill(EMPTY);
    this.hashes = new Int32Array(capacity);
    this.starts = new Int32Array(capacity);
    this.lengths = new Int32Array(capacity);
    this.mask = capacity - 1;
    for (let old = 0; old < ids.length; old++) {
      if (ids[old] === EMPTY) continue;
      let slot = hashes[old]! & this.mask;
      while (this.ids[slot] !== EMPTY) slot = (slot + 1) & this.mask;
      this.ids[slot] = ids[old]!;
      this.hashes[slot] = hashes[old]!;
      this.starts[slot] = starts[old]!;
      this.lengths[slot] = lengths[old]!;
    }
  }
}

function fnv(bytes: Uint8Array, start: number, end: number, hash: number): number {
  for (let i = start; i < end; i++) hash = Math.imul(hash ^ bytes[i]!, 0x01000193);
  return hash;
}
