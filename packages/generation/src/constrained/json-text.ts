import {
  alt,
  type CodePointRange,
  chars,
  list,
  literal,
  MAX_CODE_POINT,
  normalizeRanges,
  optional,
  type Pattern,
  repeat,
  seq,
  subtractRanges,
} from './pattern.js';

/**
 * Whitespace between JSON tokens: nothing, one space, or a line break and up to 20 spaces or tabs of
 * indentation (llama.cpp's rule). Bounded on purpose: unbounded whitespace lets a model loop on
 * blank lines forever; compact and pretty-printed JSON both fit.
 */
export const whitespace: Pattern = optional(
  alt(literal(' '), seq(literal('\n'), repeat(chars([0x20, 0x20], [0x09, 0x09]), 0, 20))),
);

const digit = chars([0x30, 0x39]);
const hex = chars([0x30, 0x39], [0x41, 0x46], [0x61, 0x66]);
const digits = repeat(digit, 1, Number.POSITIVE_INFINITY);
const integerPart = alt(literal('0'), seq(chars([0x31, 0x39]), repeat(digit, 0, Number.POSITIVE_INFINITY)));

/** A JSON integer: `-?(0|[1-9][0-9]*)`. */
export const jsonInteger: Pattern = seq(optional(literal('-')), integerPart);

/** A JSON number: integer, optional fraction, optional exponent. */
export const jsonNumber: Pattern = seq(
  jsonInteger,
  optional(seq(literal('.'), digits)),
  optional(seq(chars([0x45, 0x45], [0x65, 0x65]), optional(chars([0x2b, 0x2b], [0x2d, 0x2d])), digits)),
);

/** Characters a JSON string must escape: `"`, `\` and the controls U+0000..U+001F. */
const MUST_ESCAPE: CodePointRange[] = [
  [0x00, 0x1f],
  [0x22, 0x22],
  [0x5c, 0x5c],
];

const SHORT_ESCAPES: ReadonlyMap<number, string> = new Map([
  [0x22, '\\"'],
  [0x5c, '\\\\'],
  [0x08, '\\b'],
  [0x0c, '\\f'],
  [0x0a, '\\n'],
  [0x0d, '\\r'],
  [0x09, '\\t'],
]);

/** Any one character of a JSON string's contents: unescaped, or any JSON escape (`\n`, `\u00e9`, ...). */
export const jsonStringCharacter: Pattern = alt(
  chars(...subtractRanges([[0, MAX_CODE_POINT]], MUST_ESCAPE)),
  seq(
    literal('\\'),
    alt(
      chars(
        [0x22, 0x22],
        [0x2f, 0x2f],
        [0x5c, 0x5c],
        [0x62, 0x62],
        [0x66, 0x66],
        [0x6e, 0x6e],
        [0x72, 0x72],
        [0x74, 0x74],
      ),
      seq(literal('u'), hex, hex, hex, hex),
    ),
  ),
);

/** A JSON string whose decoded value has between min and max characters (code points). */
export function jsonString(minLength = 0, maxLength = Number.POSITIVE_INFINITY): Pattern {
  return seq(literal('"'), repeat(jsonStringCharacter, minLength, maxLength), literal('"'));
}

/**
 * A JSON string whose decoded value matches `value` (a pattern over the value's characters): each
 * character class is split into what may appear as is and what must be escaped (written with its
 * short escape, or `\u00XX`).
 */
export function jsonStringMatching(value: Pattern): Pattern {
  return seq(literal('"'), escapeForJson(value), literal('"'));
}

function escapeForJson(p: Pattern): Pattern {
  switch (p.kind) {
    case 'chars': {
      const plain = subtractRanges(p.ranges, MUST_ESCAPE);
      const escaped: Pattern[] = [];
      for (const [lo, hi] of normalizeRanges(p.ranges)) {
        for (const [elo, ehi] of MUST_ESCAPE) {
          for (let c = Math.max(lo, elo); c <= Math.min(hi, ehi); c++) {
            escaped.push(literal(SHORT_ESCAPES.get(c) ?? `\\u${c.toString(16).padStart(4, '0')}`));
          }
        }
      }
      return plain.length === 0 ? alt(...escaped) : alt(chars(...plain), ...escaped);
    }
    case 'seq':
      return seq(...p.items.map(escapeForJson));
    case 'alt':
      return alt(...p.options.map(escapeForJson));
    case 'repeat':
      return repeat(escapeForJson(p.item), p.min, p.max);
    case 'list':
      return list(escapeForJson(p.item), escapeForJson(p.separator));
  }
}

/** A JSON value literal as its compact text (enum and const values). */
export function jsonLiteral(value: unknown): Pattern {
  return literal(JSON.stringify(value));
}

/** `{ ws member (ws , ws member)* ws }` or `{ ws }`, for members already including their value. */
export function jsonObjectOf(member: Pattern): Pattern {
  return seq(
    literal('{'),
    whitespace,
    optional(seq(list(member, seq(whitespace, literal(','), whitespace)), whitespace)),
    literal('}'),
  );
}

/** `[ ws ]` or `[ ws item (ws , ws item)* ws ]`. */
export function jsonArrayOf(item: Pattern): Pattern {
  return seq(
    literal('['),
    whitespace,
    optional(seq(list(item, seq(whitespace, literal(','), whitespace)), whitespace)),
    literal(']'),
  );
}

/**
 * Any JSON value nested at most `depth` containers deep (a regular language needs a bound; the
 * automaton grows about 2x per level).
 */
export function anyJsonValue(depth: number): Pattern {
  const scalars = [jsonString(), jsonNumber, literal('true'), literal('false'), literal('null')];
  if (depth <= 0) return alt(...scalars);
  const inner = anyJsonValue(depth - 1);
  const member = seq(jsonString(), whitespace, literal(':'), whitespace, inner);
  return alt(jsonObjectOf(member), jsonArrayOf(inner), ...scalars);
}

/** Any JSON object nested at most `depth` containers deep (itself included). */
export function anyJsonObject(depth: number): Pattern {
  const member = seq(jsonString(), whitespace, literal(':'), whitespace, anyJsonValue(depth - 1));
  return jsonObjectOf(member);
}

/** A whole document: optional whitespace before `value` (none after: the end token comes right after it). */
export function jsonDocument(value: Pattern): Pattern {
  return seq(whitespace, value);
}
