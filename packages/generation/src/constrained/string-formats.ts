import type { Pattern } from './pattern.js';
import { parseRegex } from './regex-parser.js';

const DATE =
  '\\d{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\\d|30)|02-(?:0[1-9]|1\\d|2[0-8]))';
const TIME = '(?:[01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d(?:\\.\\d{1,9})?(?:Z|[+-](?:[01]\\d|2[0-3]):[0-5]\\d)';
const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';

/**
 * The `format` values supported, as the pattern every generated value matches. Each is a subset of
 * what the format allows, chosen so that validators (ajv-formats, full mode) accept every value:
 * dates stop at the 28th of February (no leap-year arithmetic), times always carry a zone, emails
 * use the common dot-atom form.
 */
const FORMATS: Readonly<Record<string, string>> = {
  date: DATE,
  time: TIME,
  'date-time': `${DATE}T${TIME}`,
  uuid: '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}',
  email: `[A-Za-z0-9_%+-]+(?:\\.[A-Za-z0-9_%+-]+)*@(?:${LABEL}\\.)+${LABEL}`,
  ipv4: `${OCTET}(?:\\.${OCTET}){3}`,
};

export const SUPPORTED_FORMATS: readonly string[] = Object.keys(FORMATS);

const compiled = new Map<string, Pattern>();

/** The pattern of a supported `format`, or undefined. */
export function formatPattern(format: string): Pattern | undefined {
  const source = FORMATS[format];
  if (source === undefined) return undefined;
  let pattern = compiled.get(format);
  if (pattern === undefined) {
    pattern = parseRegex(source);
    compiled.set(format, pattern);
  }
  return pattern;
}
