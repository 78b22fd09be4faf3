import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { JsonFields } from './json-fields.js';
import { scanTokenizerJson } from './scan-tokenizer-json.js';
import { gemmaTokenizerJson, readFixture } from './test-utils/gemma-files.js';
import { ObjectVocab, resolveJsonMerges } from './vocab-table.js';

// The byte scanner must give exactly what JSON.parse + the ordinary path give, or decline (null).
function both(text: string) {
  const bytes = Buffer.from(text);
  const scanned = scanTokenizerJson(bytes);
  const json = JSON.parse(text);
  const fields = new JsonFields('t.json');
  const vocab = new ObjectVocab(json.model.vocab, fields);
  const merges = resolveJsonMerges(json.model.merges, vocab, fields);
  return { scanned, json, vocab, merges };
}

describe('scanTokenizerJson', () => {
  it('reads the Gemma 3 vocabulary and merges exactly as JSON.parse does', () => {
    const { scanned, json, vocab, merges } = both(readFileSync(gemmaTokenizerJson, 'utf8'));
    expect(scanned).not.toBeNull();
    expect(scanned!.vocab.size).toBe(vocab.size);
    // Plain loops: deep equality on 262k / 515k-element arrays is far slower than the check itself.
    const tokens = scanned!.vocab.idToToken;
    const expectedTokens = vocab.idToToken;
    expect(tokens.length).toBe(expectedTokens.length);
    let differentTokens = 0;
    for (let id = 0; id < tokens.length; id++) if (tokens[id] !== expectedTokens[id]) differentTokens++;
    expect(differentTokens).toBe(0);
    expect(scanned!.merges.count).toBe(merges.count);
    for (const key of ['left', 'right', 'merged', 'leftLast', 'rightFirst'] as const) {
      const got = scanned!.merges[key];
      const want = merges[key];
      let different = 0;
      for (let i = 0; i < merges.count; i++) if (got[i] !== want[i]) different++;
      expect(different, key).toBe(0);
    }
    const rest = scanned!.rest as typeof json;
    expect(rest.model.vocab).toEqual({});
    expect(rest.model.merges).toEqual([]);
    expect(rest.added_tokens).toEqual(json.added_tokens);
    expect(rest.decoder).toEqual(json.decoder);
  });

  it('unescapes \\n, \\", \\\\, \\uXXXX and surrogate pairs in tokens', () => {
    const text = String.raw`{"model": {"type": "BPE", "vocab": {"a\n": 0, "\"": 1, "a\n\"": 2, "\\": 3, "\u00e9": 4, "\ud83d\ude00": 5, "\u00e9\ud83d\ude00": 6},
      "merges": [["a\n", "\""], ["\u00e9", "\ud83d\ude00"]]}, "added_tokens": []}`;
    const { scanned, vocab, merges } = both(text);
    expect(scanned).not.toBeNull();
    expect(scanned!.vocab.idToToken).toEqual(vocab.idToToken);
    expect([...scanned!.merges.merged.subarray(0, 2)]).toEqual([...merges.merged]);
    expect([...scanned!.merges.leftLast.subarray(0, 2)]).toEqual([...merges.leftLast]);
    expect([...scanned!.merges.rightFirst.subarray(0, 2)]).toEqual([...merges.rightFirst]);
    expect(scanned!.vocab.tokenToId('\u00e9\u{1F600}')).toBe(6);
  });

  it.each([
    ['merges as "a b" strings', '{"model": {"vocab": {"a": 0, "b": 1, "ab": 2}, "merges": ["a b"]}}'],
    ['a lone surrogate escape', String.raw`{"model": {"vocab": {"\ud800": 0}, "merges": []}}`],
    ['a negative id', '{"model": {"vocab": {"a": -1}, "merges": []}}'],
    ['a merge of an unknown token', '{"model": {"vocab": {"a": 0}, "merges": [["a", "z"]]}}'],
    ['no merges', '{"model": {"vocab": {"a": 0}}}'],
    ['truncated JSON', '{"model": {"vocab": {"a": 0}, "merges": [["a", "a"'],
    ['trailing garbage', '{"model": {"vocab": {"a": 0}, "merges": []}} x'],
  ])('declines %s (the ordinary path then reports it)', (_name, text) => {
    expect(scanTokenizerJson(Buffer.from(text))).toBeNull();
  });

  it('gives the synthetic tokenizers the same vocabulary and merges', () => {
    const { variants } = readFixture<{ variants: { tokenizer: unknown }[] }>('synthetic.json');
    for (const variant of variants) {
      const { scanned, vocab, merges } = both(JSON.stringify(variant.tokenizer, null, 2));
      expect(scanned!.vocab.idToToken).toEqual(vocab.idToToken);
      expect([...scanned!.merges.merged.subarray(0, merges.count)]).toEqual([...merges.merged]);
    }
  });
});
