import { describe, expect, it } from 'vitest';
import { readFixture } from './test-utils/gemma-files.js';
import { tokenizerFromJson } from './test-utils/tokenizer-from-json.js';

// Small tokenizer.json files made by tools/reference/tokenizer/make_fixtures.py to exercise what the
// Gemma 3 file does not: lstrip/rstrip/single_word/normalized added tokens, unk fusing without byte
// fallback, NFKC/Lowercase/Prepend normalizers and every Split behaviour. Golden ids and decodes come
// from the Hugging Face `tokenizers` library; exact equality.
interface Variant {
  name: string;
  tokenizer: unknown;
  cases: { text: string; ids: number[]; decoded: string; decodedSkipSpecial: string }[];
}

const { variants } = readFixture<{ variants: Variant[] }>('synthetic.json');

describe.each(variants.map((v) => [v.name, v] as const))('synthetic tokenizer %s', (_name, variant) => {
  const tokenizer = tokenizerFromJson(variant.tokenizer);
  it.each(variant.cases.map((c) => [JSON.stringify(c.text), c] as const))(
    'encodes and decodes %s',
    (_text, c) => {
      expect(tokenizer.encode(c.text)).toEqual(c.ids);
      expect(tokenizer.decode(c.ids)).toBe(c.decoded);
      expect(tokenizer.decode(c.ids, { skipSpecialTokens: true })).toBe(c.decodedSkipSpecial);
    },
  );
});
