import { TokenVocabulary } from '../constrained/token-vocabulary.js';

/** A tiny byte-level vocabulary for tests: ids 0..255 are the single bytes, then `words`, then an end id. */
export function byteVocabulary(words: readonly string[] = []): { vocabulary: TokenVocabulary; end: number } {
  const encoder = new TextEncoder();
  const tokens: (Uint8Array | null)[] = [];
  for (let b = 0; b < 256; b++) tokens.push(Uint8Array.of(b));
  for (const w of words) tokens.push(encoder.encode(w));
  tokens.push(null);
  return { vocabulary: new TokenVocabulary(tokens), end: tokens.length - 1 };
}
