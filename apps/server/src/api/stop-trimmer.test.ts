import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { StopTrimmer } from './stop-trimmer.js';

describe('StopTrimmer', () => {
  test('cuts at the first stop string, also when it spans pieces', () => {
    const t = new StopTrimmer(['END', '\n\n']);
    const out = ['Hello', ' wor', 'ld E', 'N', 'D more'].map((p) => t.push(p)).join('') + t.finish();
    expect(out).toBe('Hello world ');
    expect(StopTrimmer.trim('a\n\nb END', ['END', '\n\n'])).toBe('a');
  });

  test('holds back the last (longest stop - 1) characters, and releases them at the end', () => {
    const t = new StopTrimmer(['STOP']);
    expect(t.push('abcST')).toBe('ab');
    expect(t.push('x')).toBe('c');
    expect(t.push('S')).toBe('S');
    expect(t.finish()).toBe('TxS');
  });

  test('property: streamed pieces joined equal the trimmed whole, for any split', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ maxLength: 6 }), { maxLength: 12 }),
        fc.array(fc.string({ minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 3 }),
        (pieces, stops) => {
          const whole = pieces.join('');
          const t = new StopTrimmer(stops);
          const streamed = pieces.map((p) => t.push(p)).join('') + t.finish();
          const cut = Math.min(...stops.map((s) => whole.indexOf(s)).filter((i) => i >= 0), whole.length);
          expect(streamed).toBe(whole.slice(0, cut));
        },
      ),
      { numRuns: 500 },
    );
  });
});
