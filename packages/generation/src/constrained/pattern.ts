/**
 * The pattern language every output constraint compiles to: a regular expression over Unicode code
 * points, as a tree. JSON Schemas and regexes both become a Pattern; `nfa.ts` lowers it to bytes.
 */
export type Pattern =
  /** One code point in any of the inclusive ranges. */
  | { readonly kind: 'chars'; readonly ranges: readonly CodePointRange[] }
  | { readonly kind: 'seq'; readonly items: readonly Pattern[] }
  | { readonly kind: 'alt'; readonly options: readonly Pattern[] }
  /** `item{min,max}`; max may be Infinity. */
  | { readonly kind: 'repeat'; readonly item: Pattern; readonly min: number; readonly max: number }
  /** `item (separator item)*` built with one copy of item (a loop back into it): JSON lists stay linear in size. */
  | { readonly kind: 'list'; readonly item: Pattern; readonly separator: Pattern };

export type CodePointRange = readonly [lo: number, hi: number];

export const MAX_CODE_POINT = 0x10ffff;

export const empty: Pattern = { kind: 'seq', items: [] };

export function chars(...ranges: CodePointRange[]): Pattern {
  return { kind: 'chars', ranges };
}

export function seq(...items: Pattern[]): Pattern {
  return items.length === 1 ? (items[0] as Pattern) : { kind: 'seq', items };
}

export function alt(...options: Pattern[]): Pattern {
  return options.length === 1 ? (options[0] as Pattern) : { kind: 'alt', options };
}

export function repeat(item: Pattern, min: number, max: number): Pattern {
  return { kind: 'repeat', item, min, max };
}

export function optional(item: Pattern): Pattern {
  return repeat(item, 0, 1);
}

export function list(item: Pattern, separator: Pattern): Pattern {
  return { kind: 'list', item, separator };
}

/** The exact text, code point by code point. */
export function literal(text: string): Pattern {
  const items: Pattern[] = [];
  for (const c of text) {
    const cp = c.codePointAt(0) as number;
    items.push(chars([cp, cp]));
  }
  return seq(...items);
}

/** Sorted, merged ranges. */
export function normalizeRanges(ranges: readonly CodePointRange[]): CodePointRange[] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [lo, hi] of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else out.push([lo, hi]);
  }
  return out;
}

/** The code points in [0, MAX_CODE_POINT] not in `ranges`. */
export function complementRanges(ranges: readonly CodePointRange[]): CodePointRange[] {
  const out: CodePointRange[] = [];
  let next = 0;
  for (const [lo, hi] of normalizeRanges(ranges)) {
    if (lo > next) out.push([next, lo - 1]);
    next = hi + 1;
  }
  if (next <= MAX_CODE_POINT) out.push([next, MAX_CODE_POINT]);
  return out;
}

/** `ranges` minus `remove`. */
export function subtractRanges(
  ranges: readonly CodePointRange[],
  remove: readonly CodePointRange[],
): CodePointRange[] {
  const keep = complementRanges(remove);
  const out: CodePointRange[] = [];
  for (const [lo, hi] of normalizeRanges(ranges)) {
    for (const [klo, khi] of keep) {
      const a = Math.max(lo, klo);
      const b = Math.min(hi, khi);
      if (a <= b) out.push([a, b]);
    }
  }
  return out;
}

/** Any text (also empty) that does not start with `prefix`: a proper prefix of it, or a first difference. */
export function textNotStartingWith(prefix: string): Pattern {
  const cps = [...prefix].map((c) => c.codePointAt(0) as number);
  const anyText = repeat(chars([0, MAX_CODE_POINT]), 0, Number.POSITIVE_INFINITY);
  const options: Pattern[] = [];
  for (let i = 0; i < cps.length; i++) {
    const head = literal(String.fromCodePoint(...cps.slice(0, i)));
    const cp = cps[i] as number;
    options.push(head); // a proper prefix, as a complete output
    options.push(seq(head, chars(...complementRanges([[cp, cp]])), anyText));
  }
  return alt(...options);
}
