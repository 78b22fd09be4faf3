import { describe, expect, test } from 'vitest';
import type { DecodeFunction } from './decode-function.js';
import { StopStringMatcher } from './stop-strings.js';
import { byteDecoder } from './test-utils/byte-decoder.js';

describe('StopStringMatcher', () => {
  const pieces: Record<number, string | number[]> = {
    1: 'x',
    2: 'END',
    3: 'E',
    4: 'N',
    5: 'D!',
    6: [0xf0],
    7: [0x9f],
    8: [0x98],
    9: [0x80],
  };

  test('finds a string completed by the newest token, across tokens', () => {
    const matcher = new StopStringMatcher(['END'], byteDecoder(pieces));
    expect(matcher.match([1, 3])).toBeUndefined();
    expect(matcher.match([1, 3, 4])).toBeUndefined();
    expect(matcher.match([1, 3, 4, 5])).toBe('END'); // "xEND!": overhang after the string is fine
    expect(matcher.match([2])).toBe('END');
  });

  test('strings made of byte tokens match once the character completes', () => {
    const matcher = new StopStringMatcher(['😀'], byteDecoder(pieces));
    expect(matcher.match([1, 6, 7, 8])).toBeUndefined();
    expect(matcher.match([1, 6, 7, 8, 9])).toBe('😀');
  });

  test('decodes a bounded tail, not the whole text, on long generations', () => {
    const inner = byteDecoder(pieces);
    let decodedTokens = 0;
    const counting: DecodeFunction = (ids, options) => {
      decodedTokens += ids.length;
      return inner(ids, options);
    };
    const matcher = new StopStringMatcher(['END'], counting);
    const tokens = [...new Array<number>(5000).fill(1), 3, 4, 5];
    expect(matcher.match(tokens)).toBe('END');
    expect(matcher.match(tokens.slice(0, -1))).toBeUndefined();
    expect(decodedTokens).toBeLessThan(100);
  });
});
