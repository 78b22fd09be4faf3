import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { gifTransparentColour } from './gif-transparency.js';
import { fixturePath } from './test-utils/fixtures.js';

describe('gifTransparentColour', () => {
  test('reads palette[transparent index] of the first frame', () => {
    const gif = new Uint8Array(readFileSync(fixturePath('images/transparent.gif')));
    const colour = gifTransparentColour(gif);
    expect(colour).not.toBeNull();
    // Global colour table starts at byte 13; the fixture's transparent index is 2.
    expect(colour).toEqual([gif[13 + 6], gif[13 + 7], gif[13 + 8]]);
  });

  test('null without transparency, for other formats and for cut-off headers', () => {
    expect(gifTransparentColour(new Uint8Array(readFileSync(fixturePath('images/animated.gif'))))).toBeNull();
    expect(gifTransparentColour(new Uint8Array(readFileSync(fixturePath('images/photo.png'))))).toBeNull();
    const gif = new Uint8Array(readFileSync(fixturePath('images/transparent.gif')));
    for (const n of [0, 5, 13, 40, 60]) expect(gifTransparentColour(gif.subarray(0, n))).toBeNull();
  });

  test('property: never throws on arbitrary bytes after a GIF signature', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (tail) => {
        const bytes = new Uint8Array([0x47, 0x49, 0x46, 0x38, 0x39, 0x61, ...tail]);
        const colour = gifTransparentColour(bytes);
        expect(colour === null || colour.length === 3).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});
