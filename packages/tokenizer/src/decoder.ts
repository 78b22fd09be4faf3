import { UnsupportedComponentError } from './errors/unsupported-component-error.js';
import type { JsonFields } from './json-fields.js';

/** One step of a decoder chain, acting on the list of token strings (Rust `Decoder::decode_chain`). */
export type DecodeStep = (tokens: string[]) => string[];

/**
 * The decoder chain a tokenizer.json declares. Supported: Replace (String pattern), ByteFallback, Fuse,
 * Strip and Sequence of those, with Fuse only last. Each of these acts on one token or on one run of
 * byte tokens, which is what lets the streaming decoder be exact.
 */
export interface DecoderChain {
  steps: DecodeStep[];
  /** True when the chain turns `<0xNN>` tokens into bytes. */
  byteFallback: boolean;
}

const fatalUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The byte a `<0xNN>` token stands for, or -1 (Rust: 6 bytes long, `<0x`, `>`, u8::from_str_radix). */
export function byteOfToken(token: string): number {
  if (token.length !== 6 || !token.startsWith('<0x') || token[5] !== '>') return -1;
  const hex = token.slice(3, 5);
  if (!/^(?:[0-9a-fA-F]{2}|\+[0-9a-fA-F])$/.test(hex)) return -1;
  return Number.parseInt(hex.replace('+', ''), 16);
}

/** Bytes of one byte-fallback run as the Rust ByteFallback decoder writes them: the text, or one U+FFFD per byte. */
export function decodeByteRun(bytes: number[]): string {
  try {
    return fatalUtf8.decode(Uint8Array.from(bytes));
  } catch {
    return '\uFFFD'.repeat(bytes.length);
  }
}

export function buildDecoder(spec: unknown, fields: JsonFields): DecoderChain {
  const chain: DecoderChain = { steps: [], byteFallback: false };
  if (spec === null || spec === undefined) return chain;
  addDecoder(spec, fields, 'decoder', chain);
  return chain;
}

function addDecoder(spec: unknown, fields: JsonFields, path: string, chain: DecoderChain): void {
  const node = fields.object(spec, path);
  const type = fields.string(node.type, `${path}.type`);
  const fused = chain.steps.includes(fuse);
  if (fused && type !== 'Sequence') {
    throw new UnsupportedComponentError({
      file: fields.file,
      component: path,
      componentType: `${type} after Fuse`,
    });
  }
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
      chain.steps.push((tokens) =>
        pattern === '' ? tokens : tokens.map((t) => t.replaceAll(pattern, content)),
      );
      return;
    }
    case 'ByteFallback':
      chain.byteFallback = true;
      chain.steps.push(byteFallback);
      return;
    case 'Fuse':
      chain.steps.push(fuse);
      return;
    case 'Strip': {
      const content = fields.string(node.content, `${path}.content`);
      const start = nonNegativeInt(node.start, `${path}.start`, fields);
      const stop = nonNegativeInt(node.stop, `${path}.stop`, fields);
      chain.steps.push((tokens) => tokens.map((t) => strip(t, content, start, stop)));
      return;
    }
    case 'Sequence':
      fields.array(node.decoders, `${path}.decoders`).forEach((part, i) => {
        addDecoder(part, fields, `${path}.decoders[${i}]`, chain);
      });
      return;
    default:
      throw new UnsupportedComponentError({ file: fields.file, component: path, componentType: type });
  }
}

function byteFallback(tokens: string[]): string[] {
  const out: string[] = [];
  let bytes: number[] = [];
  for (const token of tokens) {
    const byte = byteOfToken(token);
    if (byte >= 0) {
      bytes.push(byte);
      continue;
    }
    if (bytes.length > 0) {
      out.push(decodeByteRun(bytes));
      bytes = [];
    }
    out.push(token);
  }
  if (bytes.length > 0) out.push(decodeByteRun(bytes));
  return out;
}

function fuse(tokens: string[]): string[] {
  return [tokens.join('')];
}

/** Rust Strip decoder: removes up to `start` leading and `stop` trailing `content` characters per token. */
function strip(token: string, content: string, start: number, stop: number): string {
  const chars = Array.from(token);
  let left = 0;
  while (left < start && left < chars.length && chars[left] === content) left++;
  let right = chars.length;
  while (chars.length - right < stop && right > left && chars[right - 1] === content) right--;
  return chars.slice(left, right).join('');
}

function nonNegativeInt(value: unknown, field: string, fields: JsonFields): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0)
    fields.fail(field, 'expected a non-negative integer');
  return value;
}
