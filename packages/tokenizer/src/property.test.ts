import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadGemmaTokenizer } from './test-utils/gemma-files.js';
import type { Tokenizer } from './tokenizer.js';

let tokenizer: Tokenizer;
beforeAll(async () => {
  tokenizer = await loadGemmaTokenizer();
});

// Unicode text from any plane, plus pieces Gemma treats specially (spaces, newlines, tabs, added tokens).
const gemmaText = fc
  .array(
    fc.oneof(
      fc.string({ unit: 'binary', maxLength: 12 }),
      fc.string({ unit: 'grapheme', maxLength: 12 }),
      fc.constantFrom(
        ' ',
        '  ',
        '\n',
        '\n\n',
        '\t',
        '▁',
        '<start_of_turn>',
        '<bos>',
        '<b>',
        '</td>',
        '<unused42>',
        '\r\n',
      ),
    ),
    { maxLength: 12 },
  )
  .map((parts) => parts.join(''));

describe('properties on the Gemma 3 tokenizer', () => {
  // The normalizer maps ' ' to '▁' (U+2581) and the decoder maps every '▁' back to ' ', so a literal '▁'
  // in the input comes back as a space; that is the only change (byte fallback covers every other character).
  it("decode(encode(x)) === x with '▁' read as ' '", () => {
    fc.assert(
      fc.property(gemmaText, (text) => {
        const ids = tokenizer.encode(text, { addSpecialTokens: false });
        expect(tokenizer.decode(ids)).toBe(text.replaceAll('\u2581', ' '));
      }),
      { numRuns: 400 },
    );
  });

  it('encode adds exactly one <bos> in front', () => {
    fc.assert(
      fc.property(gemmaText, (text) => {
        expect(tokenizer.encode(text)).toEqual([2, ...tokenizer.encode(text, { addSpecialTokens: false })]);
      }),
      { numRuns: 100 },
    );
  });

  it('streamed chunks concatenate to decode(ids) for any id sequence, byte pieces included', () => {
    const id = fc.oneof(
      fc.integer({ min: 0, max: 262144 }),
      fc.integer({ min: 238, max: 493 }),
      fc.constantFrom(0, 1, 2, 106, 262144),
    );
    fc.assert(
      fc.property(fc.array(id, { maxLength: 40 }), fc.boolean(), (ids, skipSpecialTokens) => {
        const stream = tokenizer.createStreamDecoder({ skipSpecialTokens });
        let text = '';
        for (const value of ids) {
          const chunk = stream.push(value);
          expect(/[\uD800-\uDBFF]$/.test(chunk)).toBe(false);
          text += chunk;
        }
        text += stream.flush();
        expect(text).toBe(tokenizer.decode(ids, { skipSpecialTokens }));
      }),
      { numRuns: 300 },
    );
  });
});
