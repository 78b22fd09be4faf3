import { UnsupportedComponentError } from './errors/unsupported-component-error.js';
import type { JsonFields } from './json-fields.js';

/** A normalizer maps a piece of text to its normalized form (offsets are not tracked: not needed here). */
export type Normalize = (text: string) => string;

/**
 * Builds the normalizer a tokenizer.json declares. Supported: Replace (String pattern), Prepend,
 * Lowercase, NFC/NFD/NFKC/NFKD and Sequence of those; anything else is an UnsupportedComponentError.
 */
export function buildNormalizer(spec: unknown, fields: JsonFields, path = 'normalizer'): Normalize | null {
  if (spec === null || spec === undefined) return null;
  const node = fields.object(spec, path);
  const type = fields.string(node.type, `${path}.type`);
  switch (type) {
    case 'Replace': {
      const pattern = fields.stringPattern(node.pattern, `${path}.pattern`);
      if (typeof pattern !== 'string') {
        throw new UnsupportedComponentError({
          file: fields.file,
          component: `${path}.pattern`,
          componentType: 'Regex',
        });
      }
      const content = fields.string(node.content, `${path}.content`);
      if (pattern === '') return (text) => text;
      return (text) => text.replaceAll(pattern, content);
    }
    case 'Prepend': {
      const prepend = fields.string(node.prepend, `${path}.prepend`);
      return (text) => (text === '' ? text : prepend + text);
    }
    case 'Lowercase':
      return (text) => text.toLowerCase();
    case 'NFC':
    case 'NFD':
    case 'NFKC':
    case 'NFKD':
      return (text) => text.normalize(type);
    case 'Sequence': {
      const parts = fields
        .array(node.normalizers, `${path}.normalizers`)
        .map((part, i) => buildNormalizer(part, fields, `${path}.normalizers[${i}]`))
        .filter((part): part is Normalize => part !== null);
      return (text) => {
        for (const part of parts) text = part(text);
        return text;
      };
    }
    default:
      throw new UnsupportedComponentError({ file: fields.file, component: path, componentType: type });
  }
}
