import { UnsupportedComponentError } from './errors/unsupported-component-error.js';
import type { JsonFields } from './json-fields.js';

/** A pre-tokenizer splits one normalized piece into words, each given to the model on its own. */
export type PreTokenize = (text: string, out: string[]) => void;

type SplitBehavior = 'Removed' | 'Isolated' | 'MergedWithPrevious' | 'MergedWithNext' | 'Contiguous';
const behaviors: readonly SplitBehavior[] = [
  'Removed',
  'Isolated',
  'MergedWithPrevious',
  'MergedWithNext',
  'Contiguous',
];

/**
 * Builds the pre-tokenizer a tokenizer.json declares. Supported: Split with a String pattern (all five
 * behaviours, invert false) and Sequence of those; anything else is an UnsupportedComponentError.
 */
export function buildPreTokenizer(
  spec: unknown,
  fields: JsonFields,
  path = 'pre_tokenizer',
): PreTokenize | null {
  if (spec === null || spec === undefined) return null;
  const node = fields.object(spec, path);
  const type = fields.string(node.type, `${path}.type`);
  switch (type) {
    case 'Split': {
      const pattern = fields.stringPattern(node.pattern, `${path}.pattern`);
      if (typeof pattern !== 'string') {
        throw new UnsupportedComponentError({
          file: fields.file,
          component: `${path}.pattern`,
          componentType: 'Regex',
        });
      }
      if (fields.boolean(node.invert, `${path}.invert`, false)) {
        throw new UnsupportedComponentError({
          file: fields.file,
          component: `${path}.invert`,
          componentType: 'true',
        });
      }
      const behavior = fields.string(node.behavior, `${path}.behavior`) as SplitBehavior;
      if (!behaviors.includes(behavior)) {
        throw new UnsupportedComponentError({
          file: fields.file,
          component: `${path}.behavior`,
          componentType: behavior,
        });
      }
      return (text, out) => splitOnString(text, pattern, behavior, out);
    }
    case 'Sequence': {
      const parts = fields
        .array(node.pretokenizers, `${path}.pretokenizers`)
        .map((part, i) => buildPreTokenizer(part, fields, `${path}.pretokenizers[${i}]`))
        .filter((part): part is PreTokenize => part !== null);
      return (text, out) => {
        let pieces = [text];
        for (const part of parts) {
          const next: string[] = [];
          for (const piece of pieces) part(piece, next);
          pieces = next;
        }
        for (const piece of pieces) out.push(piece);
      };
    }
    default:
      throw new UnsupportedComponentError({ file: fields.file, component: path, componentType: type });
  }
}

/** Split semantics of the Rust `tokenizers` library (SplitDelimiterBehavior), empty pieces dropped. */
export function splitOnString(text: string, pattern: string, behavior: SplitBehavior, out: string[]): void {
  if (text === '') return;
  let at = pattern === '' ? -1 : text.indexOf(pattern);
  if (at < 0) {
    out.push(text);
    return;
  }
  // Alternating spans [start, end, isMatch] covering the text.
  const spans: [number, number, boolean][] = [];
  let pos = 0;
  while (at >= 0) {
    if (at > pos) spans.push([pos, at, false]);
    spans.push([at, at + pattern.length, true]);
    pos = at + pattern.length;
    at = text.indexOf(pattern, pos);
  }
  if (pos < text.length) spans.push([pos, text.length, false]);

  const merged: [number, number][] = [];
  if (behavior === 'Removed') {
    for (const [s, e, m] of spans) if (!m) merged.push([s, e]);
  } else if (behavior === 'Isolated') {
    for (const [s, e] of spans) merged.push([s, e]);
  } else if (behavior === 'MergedWithPrevious') {
    let previousMatch = false;
    for (const [s, e, m] of spans) {
      const last = merged[merged.length - 1];
      if (m && !previousMatch && last) last[1] = e;
      else merged.push([s, e]);
      previousMatch = m;
    }
  } else if (behavior === 'MergedWithNext') {
    let previousMatch = false;
    for (let i = spans.length - 1; i >= 0; i--) {
      const [s, e, m] = spans[i]!;
      const last = merged[merged.length - 1];
      if (m && !previousMatch && last) last[0] = s;
      else merged.push([s, e]);
      previousMatch = m;
    }
    merged.reverse();
  } else {
    let previous: boolean | null = null;
    for (const [s, e, m] of spans) {
      const last = merged[merged.length - 1];
      if (previous === m && last) last[1] = e;
      else merged.push([s, e]);
      previous = m;
    }
  }
  for (const [s, e] of merged) if (e > s) out.push(text.slice(s, e));
}
