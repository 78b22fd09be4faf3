import type { DecodeFunction } from '../decode-function.js';

/**
 * A tokenizer-like decoder over byte pieces: id -> bytes, ids concatenated then UTF-8 decoded
 * (non-fatal: an unfinished sequence at the end becomes U+FFFD, as a byte-fallback tokenizer does).
 * Ids listed in `special` decode to their name unless skipSpecialTokens.
 */
export function byteDecoder(
  pieces: Record<number, string | number[]>,
  special: Record<number, string> = {},
): DecodeFunction {
  const encoder = new TextEncoder();
  return (ids, options) => {
    const bytes: number[] = [];
    for (const id of ids) {
      const name = special[id];
      if (name !== undefined) {
        if (!options?.skipSpecialTokens) bytes.push(...encoder.encode(name));
        continue;
      }
      const piece = pieces[id];
      if (piece === undefined) throw new Error(`unknown id ${id}`);
      bytes.push(...(typeof piece === 'string' ? encoder.encode(piece) : piece));
    }
    return new TextDecoder('utf-8').decode(new Uint8Array(bytes));
  };
}
