import { TokenVocabulary } from '@gemma3/generation';
import type { Tokenizer } from '@gemma3/tokenizer';

const vocabularies = new WeakMap<Tokenizer, TokenVocabulary>();

/** Unused and control pieces that decode to literal text but that no answer should contain. */
const NEVER_IN_OUTPUT = /^(<unused\d+>|<mask>|\[@BOS@\])$/;

/**
 * The tokenizer's vocabulary as bytes for constrained decoding, built once per tokenizer (~1 s for
 * Gemma 3's 262k pieces): special tokens and unused control pieces are never allowed.
 */
export function vocabularyOf(tokenizer: Tokenizer): TokenVocabulary {
  let vocabulary = vocabularies.get(tokenizer);
  if (vocabulary === undefined) {
    const pieces: (string | null)[] = [];
    for (let id = 0; id < tokenizer.vocabSize; id++) {
      const piece = tokenizer.idToToken(id);
      pieces.push(tokenizer.isSpecialToken(piece) || NEVER_IN_OUTPUT.test(piece) ? null : piece);
    }
    vocabulary = TokenVocabulary.fromPieces(pieces);
    vocabularies.set(tokenizer, vocabulary);
  }
  return vocabulary;
}
