import { describe, expect, test } from 'vitest';
import { generate } from './generate.js';
import { byteDecoder } from './test-utils/byte-decoder.js';
import { FakeModel, peaked } from './test-utils/fake-model.js';
import { TextStreamer } from './text-streamer.js';

// 'é' = C3 A9, '😀' = F0 9F 98 80, each byte its own token (byte fallback).
const pieces: Record<number, string | number[]> = {
  10: 'a',
  11: [0xc3],
  12: [0xa9],
  13: ' b',
  14: [0xf0],
  15: [0x9f],
  16: [0x98],
  17: [0x80],
  18: '\n',
  19: 'c',
};
const special = { 1: '<eos>' };
const decode = byteDecoder(pieces, special);

function stream(rows: (number | null)[][], skipSpecialTokens?: boolean) {
  const out: [string, number][] = [];
  const streamer = new TextStreamer({
    decode,
    onText: (text, row) => out.push([text, row]),
    ...(skipSpecialTokens === undefined ? {} : { skipSpecialTokens }),
  });
  rows.forEach((tokens, i) => {
    streamer.onTokens({ step: i + 1, tokens });
  });
  streamer.onEnd();
  return out;
}

describe('TextStreamer', () => {
  test('emits each character once complete, never half of one', () => {
    const ids = [10, 11, 12, 13, 14, 15, 16, 17, 18, 19];
    const out = stream(ids.map((id) => [id]));
    expect(out.map(([text]) => text)).toEqual(['a', 'é', ' b', '😀', '\n', 'c']);
    for (const [text] of out) expect(text).not.toContain('\uFFFD');
    expect(out.map(([text]) => text).join('')).toBe(decode(ids));
  });

  test('rows stream independently; null (finished row) is skipped', () => {
    const out = stream([
      [10, 14],
      [11, 15],
      [null, 16],
      [null, 17],
    ]);
    expect(out).toEqual([
      ['a', 0],
      ['😀', 1],
      ['\uFFFD', 0], // row 0 ended on a lone 0xC3: flushed at the end
    ]);
  });

  test('special tokens are skipped by default and kept on request', () => {
    expect(stream([[10], [1]]).map(([t]) => t)).toEqual(['a']);
    expect(stream([[10], [1]], false).map(([t]) => t)).toEqual(['a', '<eos>']);
  });

  test('an unfinished character at the end is flushed as U+FFFD', () => {
    expect(stream([[10], [11]]).map(([t]) => t)).toEqual(['a', '\uFFFD']);
  });

  test('inside generate(): the pieces add up to the decoded new tokens', async () => {
    const order = [10, 14, 15, 16, 17, 11, 12, 18, 19, 13, 1];
    const model = new FakeModel({
      vocabSize: 20,
      next: (seq) => peaked(20, order[seq.length - 1] as number),
    });
    let text = '';
    const result = await generate(model, {
      inputIds: [[5]],
      maxNewTokens: 20,
      eosTokenId: 1,
      streamer: new TextStreamer({ decode, onText: (piece) => (text += piece) }),
    });
    expect(result.newTokens[0]).toEqual(order);
    expect(text).toBe('a😀é\nc b');
  });
});
