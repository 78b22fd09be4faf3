import { alt, chars, literal, type Pattern, repeat, seq } from './pattern.js';

const digit = chars([0x30, 0x39]);

/**
 * JSON integers n with lo <= n <= hi (either bound may be infinite), written without leading zeros:
 * the classic digit-range construction, split by sign and by number of digits.
 */
export function integerRange(lo: number, hi: number): Pattern {
  const options: Pattern[] = [];
  if (hi >= 0) options.push(nonNegative(Math.max(lo, 0), hi));
  if (lo < 0) {
    const top = Math.min(hi, -1);
    // -n for n in [-top, -lo]
    options.push(seq(literal('-'), nonNegative(-top, -lo)));
  }
  return alt(...options);
}

/** n in [a, b], a >= 0 (b may be Infinity). */
function nonNegative(a: number, b: number): Pattern {
  const digitsA = String(a).length;
  if (b === Number.POSITIVE_INFINITY) {
    const atLeastMoreDigits = seq(chars([0x31, 0x39]), repeat(digit, digitsA, Number.POSITIVE_INFINITY));
    return alt(nonNegative(a, 10 ** digitsA - 1), atLeastMoreDigits);
  }
  const digitsB = String(b).length;
  if (digitsA < digitsB) return alt(nonNegative(a, 10 ** digitsA - 1), nonNegative(10 ** digitsA, b));
  return sameLength(String(a), String(b));
}

/** Digit strings s of one length with a <= s <= b (inner positions may start with 0). */
function sameLength(a: string, b: string): Pattern {
  const a0 = a.charCodeAt(0);
  const b0 = b.charCodeAt(0);
  if (a.length === 1) return chars([a0, b0]);
  const restA = a.slice(1);
  const restB = b.slice(1);
  // every digit string between: no recursion (keeps the pattern linear in the number of digits)
  if (/^0*$/.test(restA) && /^9*$/.test(restB))
    return seq(chars([a0, b0]), repeat(digit, restA.length, restA.length));
  if (a0 === b0) return seq(chars([a0, a0]), sameLength(restA, restB));
  const any = repeat(digit, a.length - 1, a.length - 1);
  const options: Pattern[] = [seq(chars([a0, a0]), sameLength(restA, '9'.repeat(restA.length)))];
  if (b0 - a0 > 1) options.push(seq(chars([a0 + 1, b0 - 1]), any));
  options.push(seq(chars([b0, b0]), sameLength('0'.repeat(restB.length), restB)));
  return alt(...options);
}
