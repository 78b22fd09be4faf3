import { ByteVocab } from './byte-vocab.js';
import type { ResolvedMerges } from './vocab-table.js';

/** Thrown inside the scanner when the file is not laid out as expected: the caller falls back to JSON.parse. */
const FALLBACK = Symbol('fallback');

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;

export interface ScannedTokenizerJson {
  /** The file parsed with model.vocab replaced by {} and model.merges by []. */
  rest: unknown;
  vocab: ByteVocab;
  merges: ResolvedMerges;
}

/**
 * Reads `model.vocab` and `model.merges` of a tokenizer.json straight from its bytes (hashing the
 * UTF-8 of each token instead of making 1.3 million JS strings and a 262k-key object), and
 * JSON.parse-s the rest. Returns null, so the caller parses the whole file the ordinary way, when
 * anything is unexpected: no BPE vocab object or merges array, merges as "a b" strings, an id that is
 * not a plain non-negative integer, a merge naming an unknown token, a lone surrogate escape, or
 * malformed JSON. The result is the same either way (the parity tests run through this path).
 */
export function scanTokenizerJson(bytes: Uint8Array): ScannedTokenizerJson | null {
  try {
    return scan(bytes);
  } catch (error) {
    if (error === FALLBACK) return null;
    throw error;
  }
}

function fail(): never {
  throw FALLBACK;
}

function scan(bytes: Uint8Array): ScannedTokenizerJson {
  const n = bytes.length;
  let vocabSpan: [number, number] | null = null;
  let mergesSpan: [number, number] | null = null;
  let vocab: ByteVocab | null = null;
  let merges: ResolvedMerges | null = null;

  let i = expect(bytes, skipWs(bytes, 0), 0x7b); // {
  for (;;) {
    i = skipWs(bytes, i);
    if (bytes[i] === 0x7d) break; // }
    const [key, afterKey] = readKey(bytes, i);
    i = skipWs(bytes, expect(bytes, skipWs(bytes, afterKey), COLON));
    if (key === 'model') {
      i = expect(bytes, i, 0x7b);
      for (;;) {
        i = skipWs(bytes, i);
        if (bytes[i] === 0x7d) {
          i++;
          break;
        }
        const [modelKey, afterModelKey] = readKey(bytes, i);
        i = skipWs(bytes, expect(bytes, skipWs(bytes, afterModelKey), COLON));
        let end: number;
        if (modelKey === 'vocab') {
          if (bytes[i] !== 0x7b) fail();
          [vocab, end] = parseVocab(bytes, i);
          vocabSpan = [i, end];
        } else if (modelKey === 'merges' && vocab !== null) {
          if (bytes[i] !== 0x5b) fail();
          [merges, end] = parseMerges(bytes, i, vocab);
          mergesSpan = [i, end];
        } else {
          end = skipValue(bytes, i);
          if (modelKey === 'merges') mergesSpan = bytes[i] === 0x5b ? [i, end] : fail(); // before vocab
        }
        i = afterSeparator(bytes, end, 0x7d);
      }
    } else {
      i = skipValue(bytes, i);
    }
    i = skipWs(bytes, i);
    if (bytes[i] === COMMA) i++;
    else if (bytes[i] !== 0x7d) fail();
  }
  if (skipWs(bytes, i + 1) !== n || vocabSpan === null || mergesSpan === null) fail();

  const [first, second] = vocabSpan[0] < mergesSpan[0] ? [vocabSpan, mergesSpan] : [mergesSpan, vocabSpan];
  const placeholder = (span: [number, number]) => (span === vocabSpan ? '{}' : '[]');
  const restBytes = Buffer.concat([
    bytes.subarray(0, first[0]),
    Buffer.from(placeholder(first)),
    bytes.subarray(first[1], second[0]),
    Buffer.from(placeholder(second)),
    bytes.subarray(second[1]),
  ]);
  let rest: unknown;
  try {
    rest = JSON.parse(restBytes.toString('utf8'));
  } catch {
    fail();
  }
  if (vocab === null) fail();
  merges ??= parseMerges(bytes, mergesSpan[0], vocab)[0];
  return { rest, vocab, merges };
}

/** Parses the vocab object starting at `start`; returns it and the index after its closing brace. */
function parseVocab(bytes: Uint8Array, start: number): [ByteVocab, number] {
  const vocab = new ByteVocab(1 << 16, 1 << 20);
  const scratch = new Scratch();
  let i = start + 1;
  for (;;) {
    i = skipWs(bytes, i);
    if (bytes[i] === 0x7d) break;
    const s = readString(bytes, i, scratch);
    i = skipWs(bytes, expect(bytes, skipWs(bytes, s.next), COLON));
    let id = 0;
    let digits = 0;
    for (let c = bytes[i]!; c >= 0x30 && c <= 0x39; c = bytes[++i]!) {
      id = id * 10 + (c - 0x30);
      digits++;
    }
    if (digits === 0 || digits > 10 || id >= 2 ** 31) fail();
    vocab.insert(s.source, s.start, s.end, id);
    i = afterSeparator(bytes, i, 0x7d);
  }
  return [vocab, i + 1];
}

/** Parses the merges array starting at `start`; returns them and the index after its closing bracket. */
function parseMerges(bytes: Uint8Array, start: number, vocab: ByteVocab): [ResolvedMerges, number] {
  let capacity = 1 << 16;
  let merges = allocate(capacity);
  let count = 0;
  const left = new Scratch();
  const right = new Scratch();
  let i = start + 1;
  for (;;) {
    i = skipWs(bytes, i);
    if (bytes[i] === 0x5d) break; // ]
    i = skipWs(bytes, expect(bytes, i, 0x5b)); // [ (the "a b" string form takes the ordinary path)
    const a = readString(bytes, i, left);
    i = skipWs(bytes, expect(bytes, skipWs(bytes, a.next), COMMA));
    const b = readString(bytes, i, right);
    i = expect(bytes, skipWs(bytes, b.next), 0x5d);
    if (a.end === a.start || b.end === b.start) fail();
    const aId = vocab.lookup(a.source, a.start, a.end, a.source, a.end, a.end);
    const bId = vocab.lookup(b.source, b.start, b.end, b.source, b.end, b.end);
    const merged = vocab.lookup(a.source, a.start, a.end, b.source, b.start, b.end);
    if (aId < 0 || bId < 0 || merged < 0) fail();
    if (count === capacity) {
      capacity *= 2;
      merges = grow(merges, capacity);
    }
    merges.left[count] = aId;
    merges.right[count] = bId;
    merges.merged[count] = merged;
    merges.leftLast[count] = lastCodePoint(a.source, a.start, a.end);
    merges.rightFirst[count] = firstCodePoint(b.source, b.start);
    count++;
    i = afterSeparator(bytes, i, 0x5d);
  }
  merges.count = count;
  return [merges, i + 1];
}

function allocate(capacity: number): ResolvedMerges {
  return {
    count: 0,
    left: new Int32Array(capacity),
    right: new Int32Array(capacity),
    merged: new Int32Array(capacity),
    leftLast: new Int32Array(capacity),
    rightFirst: new Int32Array(capacity),
  };
}

function grow(old: ResolvedMerges, capacity: number): ResolvedMerges {
  const next = allocate(capacity);
  next.left.set(old.left);
  next.right.set(old.right);
  next.merged.set(old.merged);
  next.leftLast.set(old.leftLast);
  next.rightFirst.set(old.rightFirst);
  return next;
}

/** A string's UTF-8 bytes: in the file itself, or unescaped into a scratch buffer. */
interface StringBytes {
  source: Uint8Array;
  start: number;
  end: number;
  /** Index after the closing quote. */
  next: number;
}

class Scratch {
  bytes = new Uint8Array(256);
  result: StringBytes = { source: this.bytes, start: 0, end: 0, next: 0 };
}

function readString(bytes: Uint8Array, i: number, scratch: Scratch): StringBytes {
  if (bytes[i] !== QUOTE) fail();
  const start = i + 1;
  let j = start;
  for (;;) {
    const c = bytes[j];
    if (c === undefined) fail();
    if (c === QUOTE) break;
    if (c === BACKSLASH) return unescapeString(bytes, start, scratch);
    if (c < 0x20) fail();
    j++;
  }
  const result = scratch.result;
  result.source = bytes;
  result.start = start;
  result.end = j;
  result.next = j + 1;
  return result;
}

function unescapeString(bytes: Uint8Array, start: number, scratch: Scratch): StringBytes {
  let out = scratch.bytes;
  let o = 0;
  let j = start;
  const put = (b: number) => {
    if (o === out.length) {
      const grown = new Uint8Array(out.length * 2);
      grown.set(out);
      out = grown;
      scratch.bytes = grown;
    }
    out[o++] = b;
  };
  for (;;) {
    const c = bytes[j];
    if (c === undefined || c < 0x20) fail();
    if (c === QUOTE) break;
    if (c !== BACKSLASH) {
      put(c);
      j++;
      continue;
    }
    const e = bytes[j + 1];
    j += 2;
    switch (e) {
      case QUOTE:
      case BACKSLASH:
      case 0x2f:
        put(e);
        break;
      case 0x62:
        put(8);
        break;
      case 0x66:
        put(12);
        break;
      case 0x6e:
        put(10);
        break;
      case 0x72:
        put(13);
        break;
      case 0x74:
        put(9);
        break;
      case 0x75: {
        let cp = hex4(bytes, j);
        j += 4;
        if (cp >= 0xd800 && cp <= 0xdbff) {
          if (bytes[j] !== BACKSLASH || bytes[j + 1] !== 0x75) fail();
          const low = hex4(bytes, j + 2);
          if (low < 0xdc00 || low > 0xdfff) fail();
          cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
          j += 6;
        } else if (cp >= 0xdc00 && cp <= 0xdfff) {
          fail(); // lone surrogate: JSON.parse keeps it, UTF-8 cannot
        }
        if (cp < 0x80) put(cp);
        else if (cp < 0x800) {
          put(0xc0 | (cp >> 6));
          put(0x80 | (cp & 63));
        } else if (cp < 0x10000) {
          put(0xe0 | (cp >> 12));
          put(0x80 | ((cp >> 6) & 63));
          put(0x80 | (cp & 63));
        } else {
          put(0xf0 | (cp >> 18));
          put(0x80 | ((cp >> 12) & 63));
          put(0x80 | ((cp >> 6) & 63));
          put(0x80 | (cp & 63));
        }
        break;
      }
      default:
        fail();
    }
  }
  const result = scratch.result;
  result.source = out;
  result.start = 0;
  result.end = o;
  result.next = j + 1;
  return result;
}

function hex4(bytes: Uint8Array, j: number): number {
  let value = 0;
  for (let k = 0; k < 4; k++) {
    const c = bytes[j + k]!;
    const digit =
      c >= 0x30 && c <= 0x39
        ? c - 0x30
        : c >= 0x61 && c <= 0x66
          ? c - 87
          : c >= 0x41 && c <= 0x46
            ? c - 55
            : -1;
    if (digit < 0) fail();
    value = value * 16 + digit;
  }
  return value;
}

function readKey(bytes: Uint8Array, i: number): [string, number] {
  const s = readString(bytes, i, new Scratch());
  return [
    Buffer.from(s.source.buffer, s.source.byteOffset, s.source.byteLength).toString('utf8', s.start, s.end),
    s.next,
  ];
}

function skipWs(bytes: Uint8Array, i: number): number {
  for (;;) {
    const c = bytes[i];
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
    else return i;
  }
}

function expect(bytes: Uint8Array, i: number, byte: number): number {
  if (bytes[i] !== byte) fail();
  return i + 1;
}

/** After a member or element: past a comma, or at the closing bracket (left for the caller). */
function afterSeparator(bytes: Uint8Array, i: number, close: number): number {
  i = skipWs(bytes, i);
  if (bytes[i] === COMMA) return i + 1;
  if (bytes[i] === close) return i;
  fail();
}

/** Index after the JSON value starting at i (strings, objects and arrays skipped with their nesting). */
function skipValue(bytes: Uint8Array, i: number): number {
  const c = bytes[i];
  if (c === QUOTE) return skipString(bytes, i);
  if (c === 0x7b || c === 0x5b) {
    let depth = 0;
    for (;;) {
      const d = bytes[i];
      if (d === undefined) fail();
      if (d === QUOTE) {
        i = skipString(bytes, i);
        continue;
      }
      if (d === 0x7b || d === 0x5b) depth++;
      else if (d === 0x7d || d === 0x5d) {
        depth--;
        if (depth === 0) return i + 1;
      }
      i++;
    }
  }
  while (i < bytes.length) {
    const d = bytes[i]!;
    if (d === COMMA || d === 0x7d || d === 0x5d || d === 0x20 || d === 0x0a || d === 0x0d || d === 0x09)
      break;
    i++;
  }
  return i;
}

function skipString(bytes: Uint8Array, i: number): number {
  for (i++; ; ) {
    const c = bytes[i];
    if (c === undefined) fail();
    if (c === QUOTE) return i + 1;
    i += c === BACKSLASH ? 2 : 1;
  }
}

function firstCodePoint(bytes: Uint8Array, start: number): number {
  const b0 = bytes[start]!;
  if (b0 < 0x80) return b0;
  if (b0 < 0xe0) return ((b0 & 31) << 6) | (bytes[start + 1]! & 63);
  if (b0 < 0xf0) return ((b0 & 15) << 12) | ((bytes[start + 1]! & 63) << 6) | (bytes[start + 2]! & 63);
  return (
    ((b0 & 7) << 18) |
    ((bytes[start + 1]! & 63) << 12) |
    ((bytes[start + 2]! & 63) << 6) |
    (bytes[start + 3]! & 63)
  );
}

function lastCodePoint(bytes: Uint8Array, start: number, end: number): number {
  let j = end - 1;
  while (j > start && (bytes[j]! & 0xc0) === 0x80) j--;
  return firstCodePoint(bytes, j);
}
