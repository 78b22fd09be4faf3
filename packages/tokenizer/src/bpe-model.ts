import { UnsupportedComponentError } from './errors/unsupported-component-error.js';
import type { JsonFields } from './json-fields.js';
import { PairTable } from './pair-table.js';
import type { ResolvedMerges, VocabTable } from './vocab-table.js';

const NO_CHAR = -1;
/** charIds entry not looked up yet (filled lazily: enumerating 262k vocabulary keys at load is slow). */
const NOT_LOOKED_UP = -2;
/** Words up to this many symbols use a linear min-scan; longer ones a binary heap (O(n log n)). */
const SMALL_WORD = 24;
const CACHE_MAX_ENTRIES = 200_000;
/** Total UTF-16 units of cached chunks before the cache is cleared (bounds its memory to tens of MB). */
const CACHE_MAX_CHARS = 4_000_000;
/** Chunks longer than this (UTF-16 units) are not cached: they rarely repeat. */
const CACHE_MAX_CHUNK = 256;
/** Side of the direct "can x and y merge" table: code points below 2048, plus slot 2048 for '▁'. */
const NEAR = 2049;
/** Heap keys are rank * 2^32 + position: ordered by rank, then leftmost position (as the Rust library). */
const POS_SPAN = 2 ** 32;
const MAX_MERGES = 2 ** 21;

/**
 * The BPE model of a tokenizer.json, with the semantics of the Rust `tokenizers` library
 * (models/bpe/model.rs + word.rs): characters -> vocabulary ids (byte fallback `<0xNN>` for unknown
 * characters, else `unk_token`, fused when `fuse_unk`), then repeatedly merge the adjacent pair with the
 * lowest merge rank, leftmost first.
 *
 * Speed: a word is cut into chunks at boundaries no merge can ever cross (the character pair (last char
 * of a merge's left part, first char of its right part) never occurs there), which leaves the result
 * unchanged (merges on either side never interact) and lets chunks be cached: for Gemma 3 a chunk is
 * about a "▁word". Long chunks (runs of CJK, base64) go through a heap, so time stays O(n log n).
 */
export class BpeModel {
  private readonly vocab: VocabTable;
  /** Per merge index: the id it produces. The merge index is its rank. */
  private readonly mergeResult: Int32Array;
  private readonly merges: PairTable;
  /** (left char, right char) pairs across which some merge exists. */
  private readonly joinable: PairTable;
  /** The same for pairs of code points below 2048 or '▁' (no hashing in the common case). */
  private readonly near = new Uint8Array(NEAR * NEAR);
  /** A character every word is read with as another (see mapCharacter), or -1. */
  private mapFrom = -1;
  private mapTo = -1;
  /** Code point -> id of the single-character token, -1 when none, -2 not looked up yet. */
  private readonly charIds: Int32Array;
  /** Byte -> id of `<0xNN>`, or -1. */
  private readonly byteIds: Int32Array;
  private readonly hasAllBytes: boolean;
  private readonly unkId: number;
  private readonly fuseUnk: boolean;
  private readonly byteFallback: boolean;
  private readonly ignoreMerges: boolean;
  /** When unknown characters could interact across a chunk boundary, never cut next to one. */
  private readonly unknownCharsBlockCuts: boolean;
  private readonly cache = new Map<string, Int32Array>();
  private cacheChars = 0;

  // Scratch buffers reused across words.
  private sym = new Int32Array(256);
  private rank = new Int32Array(256);
  private prev = new Int32Array(256);
  private next = new Int32Array(256);
  private heapKeys = new Float64Array(256);
  private heapSize = 0;

  constructor(spec: Record<string, unknown>, fields: JsonFields, vocab: VocabTable, merges: ResolvedMerges) {
    for (const option of ['continuing_subword_prefix', 'end_of_word_suffix'] as const) {
      if (spec[option] !== null && spec[option] !== undefined && spec[option] !== '') {
        throw new UnsupportedComponentError({
          file: fields.file,
          component: `model.${option}`,
          componentType: String(spec[option]),
        });
      }
    }
    if (spec.dropout !== null && spec.dropout !== undefined && spec.dropout !== 0) {
      throw new UnsupportedComponentError({
        file: fields.file,
        component: 'model.dropout',
        componentType: String(spec.dropout),
      });
    }
    this.fuseUnk = fields.boolean(spec.fuse_unk, 'model.fuse_unk', false);
    this.byteFallback = fields.boolean(spec.byte_fallback, 'model.byte_fallback', false);
    this.ignoreMerges = fields.boolean(spec.ignore_merges, 'model.ignore_merges', false);

    this.vocab = vocab;
    this.charIds = new Int32Array(0x110000).fill(NOT_LOOKED_UP);

    this.byteIds = new Int32Array(256).fill(-1);
    let allBytes = true;
    for (let b = 0; b < 256; b++) {
      const id = this.tokenToId(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`);
      if (id === undefined) allBytes = false;
      else this.byteIds[b] = id;
    }
    this.hasAllBytes = allBytes;

    const unkToken = spec.unk_token;
    if (unkToken === null || unkToken === undefined) this.unkId = -1;
    else {
      const id = this.tokenToId(fields.string(unkToken, 'model.unk_token'));
      if (id === undefined)
        fields.fail('model.unk_token', `unk_token ${JSON.stringify(unkToken)} is not in model.vocab`);
      this.unkId = id;
    }

    const count = merges.count;
    if (count >= MAX_MERGES) {
      // Heap keys (rank * 2^32 + position) must stay exact in a double.
      throw new UnsupportedComponentError({
        file: fields.file,
        component: 'model.merges',
        componentType: `${count} merges (at most ${MAX_MERGES - 1})`,
      });
    }
    this.merges = new PairTable(count);
    this.joinable = new PairTable(Math.min(count, 1 << 16));
    this.mergeResult = merges.merged.subarray(0, count);
    // Ids whose merging would let unknown characters (byte pieces, unk) interact across a chunk cut.
    const unknownSymbol = new Set<number>(this.byteIds);
    if (this.unkId >= 0) unknownSymbol.add(this.unkId);
    let largestUnknown = -1;
    for (const id of unknownSymbol) largestUnknown = Math.max(largestUnknown, id);
    let unknownSymbolsMerge = false;
    const { left, right, leftLast, rightFirst } = merges;
    for (let i = 0; i < count; i++) {
      const a = left[i]!;
      const b = right[i]!;
      this.merges.set(a, b, i);
      const l = leftLast[i]!;
      const r = rightFirst[i]!;
      this.joinable.set(l, r, 1);
      const li = l < 2048 ? l : l === 0x2581 ? 2048 : -1;
      const ri = r < 2048 ? r : r === 0x2581 ? 2048 : -1;
      if (li >= 0 && ri >= 0) this.near[li * NEAR + ri] = 1;
      if ((a <= largestUnknown && unknownSymbol.has(a)) || (b <= largestUnknown && unknownSymbol.has(b))) {
        unknownSymbolsMerge = true;
      }
    }
    const unkPossible = !(this.byteFallback && this.hasAllBytes) && this.unkId >= 0;
    this.unknownCharsBlockCuts = unknownSymbolsMerge || (unkPossible && this.fuseUnk);
  }

  /** Number of entries in model.vocab (Rust `get_vocab_size`). */
  get size(): number {
    return this.vocab.size;
  }

  /** The id of a model vocabulary token, or undefined. */
  tokenToId(token: string): number | undefined {
    return this.vocab.tokenToId(token);
  }

  /** Model vocabulary by id (holes are `undefined`); built on first use. */
  get idToToken(): readonly (string | undefined)[] {
    return this.vocab.idToToken;
  }

  /** Id of the single-character token for code point `cp`, or -1 (looked up once, then remembered). */
  private charId(cp: number): number {
    let id = this.charIds[cp]!;
    if (id === NOT_LOOKED_UP) {
      id = this.tokenToId(String.fromCodePoint(cp)) ?? NO_CHAR;
      this.charIds[cp] = id;
    }
    return id;
  }

  get ignoresMerges(): boolean {
    return this.ignoreMerges;
  }

  /**
   * Reads `from` as `to` in every word from now on: lets the tokenizer skip a one-character Replace
   * normalizer (Gemma 3: ' ' -> '▁') instead of building the normalized copy of the text. Only valid when
   * nothing else needs the normalized text (the Tokenizer checks that).
   */
  mapCharacter(from: number, to: number): void {
    this.mapFrom = from;
    this.mapTo = to;
  }

  /** Appends the ids of one pre-tokenized word to `out`. */
  encodeWord(word: string, out: number[]): void {
    if (word === '') return;
    if (this.ignoreMerges) {
      const id = this.tokenToId(word);
      if (id !== undefined) {
        out.push(id);
        return;
      }
    }
    const joinable = this.joinable;
    const near = this.near;
    const { mapFrom, mapTo } = this;
    const blockUnknown = this.unknownCharsBlockCuts;
    let start = 0;
    let prevCp = -1;
    let prevNear = -1;
    const n = word.length;
    for (let i = 0; i < n; ) {
      const raw = word.codePointAt(i)!;
      const cp = raw === mapFrom ? mapTo : raw;
      const cpNear = cp < 2048 ? cp : cp === 0x2581 ? 2048 : -1;
      if (
        prevCp >= 0 &&
        (prevNear >= 0 && cpNear >= 0
          ? near[prevNear * NEAR + cpNear] === 0
          : joinable.get(prevCp, cp) < 0) &&
        !(blockUnknown && (this.charId(prevCp) === NO_CHAR || this.charId(cp) === NO_CHAR))
      ) {
        this.encodeChunk(word, start, i, out);
        start = i;
      }
      prevCp = cp;
      prevNear = cpNear;
      i += raw > 0xffff ? 2 : 1;
    }
    this.encodeChunk(word, start, n, out);
  }

  private encodeChunk(word: string, start: number, end: number, out: number[]): void {
    // A single BMP character that is a token needs no lookup at all.
    if (end - start === 1) {
      const code = word.charCodeAt(start);
      const id = this.charId(code === this.mapFrom ? this.mapTo : code);
      if (id !== NO_CHAR) {
        out.push(id);
        return;
      }
    }
    const cacheable = end - start <= CACHE_MAX_CHUNK;
    const chunk = start === 0 && end === word.length ? word : word.slice(start, end);
    if (cacheable) {
      const hit = this.cache.get(chunk);
      if (hit !== undefined) {
        for (let i = 0; i < hit.length; i++) out.push(hit[i]!);
        return;
      }
    }
    const count = this.bpe(chunk);
    const sym = this.sym;
    if (cacheable) {
      if (this.cache.size >= CACHE_MAX_ENTRIES || this.cacheChars >= CACHE_MAX_CHARS) {
        this.cache.clear();
        this.cacheChars = 0;
      }
      this.cache.set(chunk, sym.slice(0, count));
      this.cacheChars += chunk.length;
    }
    for (let i = 0; i < count; i++) out.push(sym[i]!);
  }

  /** Runs BPE on `chunk`; the resulting ids are `this.sym[0 .. returned count)`. */
  private bpe(chunk: string): number {
    let n = this.initialSymbols(chunk);
    if (n < 2) return n;
    if (n <= SMALL_WORD) n = this.mergeSmall(n);
    else n = this.mergeHeap(n);
    return n;
  }

  /** Characters -> symbols, as Rust BPE::merge_word (including its unk-fusing order). */
  private initialSymbols(chunk: string): number {
    this.ensureCapacity(chunk.length * 4 + 4);
    const sym = this.sym;
    let n = 0;
    let pendingUnk = false;
    const { mapFrom, mapTo } = this;
    for (let i = 0; i < chunk.length; ) {
      const raw = chunk.codePointAt(i)!;
      i += raw > 0xffff ? 2 : 1;
      const cp = raw === mapFrom ? mapTo : raw;
      const id = this.charId(cp);
      if (id !== NO_CHAR) {
        if (pendingUnk) {
          sym[n++] = this.unkId;
          pendingUnk = false;
        }
        sym[n++] = id;
        continue;
      }
      if (this.byteFallback && this.pushBytes(cp, n)) {
        n += utf8Length(cp);
        continue;
      }
      if (this.unkId >= 0) {
        if (pendingUnk && !this.fuseUnk) sym[n++] = this.unkId;
        pendingUnk = true;
      }
    }
    if (pendingUnk) sym[n++] = this.unkId;
    return n;
  }

  /** Writes the `<0xNN>` ids of cp's UTF-8 bytes at sym[at..]; false (nothing written) if one is missing. */
  private pushBytes(cp: number, at: number): boolean {
    const bytes =
      cp < 0x80
        ? [cp]
        : cp < 0x800
          ? [0xc0 | (cp >> 6), 0x80 | (cp & 63)]
          : cp < 0x10000
            ? [0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63)]
            : [0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63)];
    for (const b of bytes) if (this.byteIds[b] === -1) return false;
    for (let k = 0; k < bytes.length; k++) this.sym[at + k] = this.byteIds[bytes[k]!]!;
    return true;
  }

  private pairRank(a: number, b: number): number {
    return this.merges.get(a, b);
  }

  /** Lowest-rank-leftmost merging by scanning; fine for short words. */
  private mergeSmall(n: number): number {
    const sym = this.sym;
    const rank = this.rank;
    for (let i = 0; i < n - 1; i++) rank[i] = this.pairRank(sym[i]!, sym[i + 1]!);
    for (;;) {
      let best = -1;
      let bestRank = 0x7fffffff;
      for (let i = 0; i < n - 1; i++) {
        const r = rank[i]!;
        if (r >= 0 && r < bestRank) {
          bestRank = r;
          best = i;
        }
      }
      if (best < 0) return n;
      sym[best] = this.mergeResult[bestRank]!;
      for (let i = best + 1; i < n - 1; i++) {
        sym[i] = sym[i + 1]!;
        rank[i] = rank[i + 1]!;
      }
      n--;
      if (best > 0) rank[best - 1] = this.pairRank(sym[best - 1]!, sym[best]!);
      if (best < n - 1) rank[best] = this.pairRank(sym[best]!, sym[best + 1]!);
    }
  }

  /** Word::merge_all of the Rust library: a min-heap of (rank, position), stale entries skipped. */
  private mergeHeap(n: number): number {
    const sym = this.sym;
    const prev = this.prev;
    const next = this.next;
    const mergeResult = this.mergeResult;
    this.heapSize = 0;
    for (let i = 0; i < n; i++) {
      prev[i] = i - 1;
      next[i] = i + 1 < n ? i + 1 : -1;
    }
    for (let i = 0; i < n - 1; i++) {
      const r = this.pairRank(sym[i]!, sym[i + 1]!);
      if (r >= 0) this.heapPush(r * POS_SPAN + i);
    }
    while (this.heapSize > 0) {
      const key = this.heapPop();
      const r = Math.floor(key / POS_SPAN);
      const pos = key - r * POS_SPAN;
      if (sym[pos] === -1) continue; // merged into its left neighbour
      const right = next[pos]!;
      if (right === -1) continue;
      const current = this.pairRank(sym[pos]!, sym[right]!);
      if (current < 0 || mergeResult[current] !== mergeResult[r]) continue; // stale entry
      sym[pos] = mergeResult[r]!;
      sym[right] = -1;
      const after = next[right]!;
      next[pos] = after;
      if (after !== -1) prev[after] = pos;
      const before = prev[pos]!;
      if (before !== -1) {
        const rb = this.pairRank(sym[before]!, sym[pos]!);
        if (rb >= 0) this.heapPush(rb * POS_SPAN + before);
      }
      if (after !== -1) {
        const ra = this.pairRank(sym[pos]!, sym[after]!);
        if (ra >= 0) this.heapPush(ra * POS_SPAN + pos);
      }
    }
    let count = 0;
    for (let i = 0; i !== -1; i = next[i]!) sym[count++] = sym[i]!;
    return count;
  }

  private heapPush(key: number): void {
    if (this.heapSize === this.heapKeys.length) {
      const grown = new Float64Array(this.heapKeys.length * 2);
      grown.set(this.heapKeys);
      this.heapKeys = grown;
    }
    const heap = this.heapKeys;
    let i = this.heapSize++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent]! <= key) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = key;
  }

  private heapPop(): number {
    const heap = this.heapKeys;
    const top = heap[0]!;
    const last = heap[--this.heapSize]!;
    const size = this.heapSize;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= size) break;
      if (child + 1 < size && heap[child + 1]! < heap[child]!) child++;
      if (heap[child]! >= last) break;
      heap[i] = heap[child]!;
      i = child;
    }
    heap[i] = last;
    return top;
  }

  private ensureCapacity(symbols: number): void {
    if (this.sym.length >= symbols) return;
    let size = this.sym.length;
    while (size < symbols) size *= 2;
    this.sym = new Int32Array(size);
    this.rank = new Int32Array(size);
    this.prev = new Int32Array(size);
    this.next = new Int32Array(size);
  }
}

function utf8Length(cp: number): number {
  return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}
