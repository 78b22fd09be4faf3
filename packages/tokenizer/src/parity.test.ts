import { beforeAll, describe, expect, it } from 'vitest';
import { loadGemmaTokenizer, readFixture } from './test-utils/gemma-files.js';
import type { Tokenizer } from './tokenizer.js';

// Golden outputs of the Hugging Face `tokenizers` library (tools/reference/tokenizer/make_fixtures.py) on
// the real Gemma 3 tokenizer.json. Exact equality: any difference is a bug, there is no tolerance.
interface EncodeCase {
  name: string;
  text: string;
  ids: number[];
  idsNoSpecial: number[];
  decoded: string;
  decodedSkipSpecial: string;
}
interface DecodeCase {
  name: string;
  ids: number[];
  text: string;
  textSkipSpecial: string;
}

const encodeCases = readFixture<{ cases: EncodeCase[] }>('encode.json').cases;
const decodeFixture = readFixture<{ cases: DecodeCase[]; outOfRange: Record<string, { text: string }> }>(
  'decode.json',
);
const decodeCases = decodeFixture.cases;

let tokenizer: Tokenizer;
beforeAll(async () => {
  tokenizer = await loadGemmaTokenizer();
});

describe('encode parity with tokenizers (Gemma 3 tokenizer.json)', () => {
  it('covers the corpus the issue asks for, incl. texts of 20 KB or more', () => {
    expect(encodeCases.length).toBeGreaterThanOrEqual(100);
    const long = encodeCases.filter((c) => Buffer.byteLength(c.text) >= 20_000);
    expect(long.length).toBeGreaterThanOrEqual(5);
  });

  it.each(encodeCases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    expect(tokenizer.encode(c.text)).toEqual(c.ids);
    expect(tokenizer.encode(c.text, { addSpecialTokens: false })).toEqual(c.idsNoSpecial);
    expect(tokenizer.decode(c.idsNoSpecial)).toBe(c.decoded);
    expect(tokenizer.decode(c.ids, { skipSpecialTokens: true })).toBe(c.decodedSkipSpecial);
  });
});

describe('decode parity with tokenizers', () => {
  it.each(decodeCases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    expect(tokenizer.decode(c.ids)).toBe(c.text);
    expect(tokenizer.decode(c.ids, { skipSpecialTokens: true })).toBe(c.textSkipSpecial);
  });
});

describe('ids the vocabulary lacks, with skipUnknownIds', () => {
  // the reference (tokenizers' decode, special tokens skipped by default there) leaves them out
  const cases = Object.entries(decodeFixture.outOfRange).map(([ids, c]) => [ids, JSON.parse(ids), c.text]);
  it('covers an id a Gemma 3 model scores but the tokenizer lacks, inside a byte run', () => {
    expect(cases.some(([, ids]) => ids.includes(262159))).toBe(true);
  });
  it.each(cases)('%s', (_name, ids: number[], text: string) => {
    const options = { skipSpecialTokens: true, skipUnknownIds: true };
    expect(tokenizer.decode(ids, options)).toBe(text);
    const stream = tokenizer.createStreamDecoder(options);
    expect([...ids.map((id) => stream.push(id)), stream.flush()].join('')).toBe(text);
  });
});

describe('stream decoder', () => {
  const streamed = (ids: number[], skipSpecialTokens: boolean): string[] => {
    const stream = tokenizer.createStreamDecoder({ skipSpecialTokens });
    const chunks = ids.map((id) => stream.push(id));
    chunks.push(stream.flush());
    return chunks;
  };

  it('concatenates to decode(ids) on every decode and encode fixture', () => {
    for (const c of decodeCases) {
      expect(streamed(c.ids, false).join('')).toBe(c.text);
      expect(streamed(c.ids, true).join('')).toBe(c.textSkipSpecial);
    }
    for (const c of encodeCases) expect(streamed(c.idsNoSpecial, false).join('')).toBe(c.decoded);
  });

  it('holds a byte-fallback run until it ends, and never emits half a character', () => {
    const bytes = [0xe4, 0xb8, 0xad].map((b) => tokenizer.tokenToId(`<0x${b.toString(16).toUpperCase()}>`)!);
    const hello = tokenizer.tokenToId('hello')!;
    expect(streamed([...bytes, hello], false)).toEqual(['', '', '', '中hello', '']);
    expect(streamed(bytes.slice(0, 2), false)).toEqual(['', '', '\uFFFD\uFFFD']);
    for (const c of encodeCases) {
      for (const chunk of streamed(c.idsNoSpecial, false)) {
        expect(/[\uD800-\uDBFF]$/.test(chunk)).toBe(false);
      }
    }
  });
});
