import { InvalidPatternError } from '../errors/invalid-pattern-error.js';
import {
  alt,
  type CodePointRange,
  chars,
  complementRanges,
  empty,
  MAX_CODE_POINT,
  type Pattern,
  repeat,
  seq,
} from './pattern.js';

/** The largest repetition count accepted in `{n,m}` (the automaton holds one copy per count). */
export const MAX_REPEAT_COUNT = 1000;

const DIGIT: CodePointRange[] = [[0x30, 0x39]];
const WORD: CodePointRange[] = [
  [0x30, 0x39],
  [0x41, 0x5a],
  [0x5f, 0x5f],
  [0x61, 0x7a],
];
const SPACE: CodePointRange[] = [
  [0x09, 0x0d],
  [0x20, 0x20],
  [0xa0, 0xa0],
  [0x1680, 0x1680],
  [0x2000, 0x200a],
  [0x2028, 0x2029],
  [0x202f, 0x202f],
  [0x205f, 0x205f],
  [0x3000, 0x3000],
  [0xfeff, 0xfeff],
];
const NOT_NEWLINE: CodePointRange[] = complementRanges([
  [0x0a, 0x0a],
  [0x0d, 0x0d],
  [0x2028, 0x2029],
]);

/**
 * Parses an ECMAScript-style regular expression into a Pattern that must match the WHOLE output
 * (a leading `^` and trailing `$` are accepted and change nothing). Supported: literals, escapes
 * (`\n \t \r \f \v \0 \xHH \uHHHH \u{H...}`, escaped punctuation), classes `[...]` / `[^...]` with
 * ranges and `\d \w \s \D \W \S`, `.`, groups `(...)` `(?:...)` `(?<name>...)`, `|`, and the
 * quantifiers `* + ? {n} {n,} {n,m}` (lazy forms too: same language). Anything else (backreferences,
 * lookaround, anchors inside, `\b`, `\p{...}`, flags) is an InvalidPatternError naming the offset.
 */
export function parseRegex(source: string): Pattern {
  return new RegexParser(source).parse();
}

class RegexParser {
  private i = 0;
  private readonly cps: number[];

  constructor(private readonly source: string) {
    this.cps = [...source].map((c) => c.codePointAt(0) as number);
  }

  parse(): Pattern {
    if (this.peek() === 0x5e) this.i++; // ^
    const pattern = this.alternation(true);
    if (this.i < this.cps.length) this.fail(`unexpected ${String.fromCodePoint(this.cps[this.i] as number)}`);
    return pattern;
  }

  private fail(reason: string): never {
    throw new InvalidPatternError({ pattern: this.source, index: this.i, reason });
  }

  private peek(): number | undefined {
    return this.cps[this.i];
  }

  private alternation(top: boolean): Pattern {
    const options = [this.sequence(top)];
    while (this.peek() === 0x7c) {
      this.i++;
      options.push(this.sequence(top));
    }
    return alt(...options);
  }

  private sequence(top: boolean): Pattern {
    const items: Pattern[] = [];
    for (;;) {
      const c = this.peek();
      if (c === undefined || c === 0x7c || c === 0x29) break;
      if (c === 0x24) {
        // $ is accepted at the very end of the whole pattern only
        this.i++;
        const next = this.peek();
        if (!top || (next !== undefined && next !== 0x7c)) {
          this.i--;
          this.fail('anchor $ is only supported at the end');
        }
        continue;
      }
      items.push(this.quantified(this.atom()));
    }
    return items.length === 0 ? empty : seq(...items);
  }

  private quantified(atom: Pattern): Pattern {
    let result = atom;
    for (;;) {
      const c = this.peek();
      let min: number;
      let max: number;
      if (c === 0x2a) [min, max] = [0, Number.POSITIVE_INFINITY];
      else if (c === 0x2b) [min, max] = [1, Number.POSITIVE_INFINITY];
      else if (c === 0x3f) [min, max] = [0, 1];
      else if (c === 0x7b && this.isCount()) {
        [min, max] = this.count();
        result = repeat(result, min, max);
        if (this.peek() === 0x3f) this.i++;
        continue;
      } else return result;
      this.i++;
      if (this.peek() === 0x3f) this.i++; // lazy: the same language
      result = repeat(result, min, max);
    }
  }

  private isCount(): boolean {
    return /^\{\d+(,\d*)?\}/.test(this.source.slice(this.offsetOf(this.i)));
  }

  private offsetOf(index: number): number {
    return String.fromCodePoint(...this.cps.slice(0, index)).length;
  }

  private count(): [number, number] {
    const match = /^\{(\d+)(,(\d*))?\}/.exec(this.source.slice(this.offsetOf(this.i))) as RegExpExecArray;
    const min = Number(match[1]);
    const max = match[2] === undefined ? min : match[3] === '' ? Number.POSITIVE_INFINITY : Number(match[3]);
    if (max < min) this.fail(`repetition {${min},${max}} has max < min`);
    if (min > MAX_REPEAT_COUNT || (max !== Number.POSITIVE_INFINITY && max > MAX_REPEAT_COUNT)) {
      this.fail(`repetition counts above ${MAX_REPEAT_COUNT} are not supported`);
    }
    this.i += match[0].length;
    return [min, max];
  }

  private atom(): Pattern {
    const c = this.peek() as number;
    if (c === 0x28) return this.group();
    if (c === 0x5b) return this.charClass();
    if (c === 0x2e) {
      this.i++;
      return chars(...NOT_NEWLINE);
    }
    if (c === 0x5c) {
      this.i++;
      return chars(...this.escape(false));
    }
    if (c === 0x2a || c === 0x2b || c === 0x3f) this.fail('nothing to repeat');
    if (c === 0x5e) this.fail('anchor ^ is only supported at the start');
    this.i++;
    return chars([c, c]);
  }

  private group(): Pattern {
    this.i++; // (
    if (this.peek() === 0x3f) {
      const rest = this.source.slice(this.offsetOf(this.i));
      if (rest.startsWith('?:')) this.i += 2;
      else if (/^\?<[A-Za-z_$][\w$]*>/.test(rest))
        this.i += (/^\?<[A-Za-z_$][\w$]*>/.exec(rest) as RegExpExecArray)[0].length;
      else this.fail('lookaround and inline flags are not supported');
    }
    const inner = this.alternation(false);
    if (this.peek() !== 0x29) this.fail('missing )');
    this.i++;
    return inner;
  }

  private charClass(): Pattern {
    this.i++; // [
    let negate = false;
    if (this.peek() === 0x5e) {
      negate = true;
      this.i++;
    }
    const ranges: CodePointRange[] = [];
    let first = true;
    for (;;) {
      const c = this.peek();
      if (c === undefined) this.fail('missing ]');
      if (c === 0x5d && !first) break;
      first = false;
      const lo = this.classAtom();
      if (this.peek() === 0x2d && this.cps[this.i + 1] !== 0x5d && this.cps[this.i + 1] !== undefined) {
        this.i++;
        const hi = this.classAtom();
        if (
          lo.length !== 1 ||
          hi.length !== 1 ||
          (lo[0] as CodePointRange)[0] !== (lo[0] as CodePointRange)[1] ||
          (hi[0] as CodePointRange)[0] !== (hi[0] as CodePointRange)[1]
        ) {
          this.fail('a class range needs single characters at both ends');
        }
        const a = (lo[0] as CodePointRange)[0];
        const b = (hi[0] as CodePointRange)[0];
        if (b < a) this.fail('class range out of order');
        ranges.push([a, b]);
      } else ranges.push(...lo);
    }
    this.i++; // ]
    const set = negate ? complementRanges(ranges) : ranges;
    if (set.length === 0) this.fail('empty character class');
    return chars(...set);
  }

  private classAtom(): CodePointRange[] {
    const c = this.peek() as number;
    this.i++;
    if (c === 0x5c) return this.escape(true);
    return [[c, c]];
  }

  /** After a backslash: the code point ranges the escape stands for. */
  private escape(inClass: boolean): CodePointRange[] {
    const c = this.peek();
    if (c === undefined) this.fail('pattern ends with \\');
    this.i++;
    const single = (cp: number): CodePointRange[] => [[cp, cp]];
    switch (String.fromCodePoint(c)) {
      case 'd':
        return DIGIT;
      case 'D':
        return complementRanges(DIGIT);
      case 'w':
        return WORD;
      case 'W':
        return complementRanges(WORD);
      case 's':
        return SPACE;
      case 'S':
        return complementRanges(SPACE);
      case 'n':
        return single(0x0a);
      case 't':
        return single(0x09);
      case 'r':
        return single(0x0d);
      case 'f':
        return single(0x0c);
      case 'v':
        return single(0x0b);
      case '0':
        return single(0);
      case 'b':
        if (inClass) return single(0x08);
        this.i--;
        return this.fail('word boundaries are not supported');
      case 'x':
        return single(this.hex(2));
      case 'u': {
        if (this.peek() === 0x7b) {
          const rest = this.source.slice(this.offsetOf(this.i));
          const match = /^\{([0-9A-Fa-f]{1,6})\}/.exec(rest);
          if (!match) this.fail('bad \\u{...} escape');
          const cp = Number.parseInt(match[1] as string, 16);
          if (cp > MAX_CODE_POINT) this.fail('code point beyond U+10FFFF');
          this.i += match[0].length;
          return single(cp);
        }
        return single(this.hex(4));
      }
      default: {
        if (/[\p{L}\p{N}]/u.test(String.fromCodePoint(c))) {
          this.i--;
          this.fail(`escape \\${String.fromCodePoint(c)} is not supported`);
        }
        return single(c);
      }
    }
  }

  private hex(digits: number): number {
    const text = String.fromCodePoint(...this.cps.slice(this.i, this.i + digits));
    if (!new RegExp(`^[0-9A-Fa-f]{${digits}}$`).test(text)) this.fail(`expected ${digits} hex digits`);
    this.i += digits;
    return Number.parseInt(text, 16);
  }
}
