import type { CompiledGrammar, TokenVocabulary } from '@gemma3/generation';

const MAX_ENTRIES = 16;
const caches = new WeakMap<TokenVocabulary, Map<string, CompiledGrammar>>();

/**
 * A compiled grammar per (vocabulary, key), the most recently used 16 kept: a schema used again
 * reuses its automaton and the allowed-token sets already computed.
 */
export function cachedGrammar(
  vocabulary: TokenVocabulary,
  key: string,
  compile: () => CompiledGrammar,
): CompiledGrammar {
  let cache = caches.get(vocabulary);
  if (cache === undefined) {
    cache = new Map();
    caches.set(vocabulary, cache);
  }
  let grammar = cache.get(key);
  if (grammar !== undefined) cache.delete(key);
  else grammar = compile();
  cache.set(key, grammar);
  if (cache.size > MAX_ENTRIES) cache.delete(cache.keys().next().value as string);
  return grammar;
}
