import type { TokenVocabulary } from './token-vocabulary.js';

/**
 * For one set of ASCII bytes C: which trie subtrees hold only tokens made entirely of C's bytes, and
 * the longest such token below each node. A state that moves the same way on every byte of C (a
 * counted class such as an email label's `[A-Za-z0-9-]{0,61}`) then takes those subtrees whole.
 */
export interface ClassSubtrees {
  /** 1 where some token below the node (its own included) has a byte outside C. */
  readonly outsideBelow: Uint8Array;
  /** Longest token below the node (bytes), over tokens made of C's bytes. */
  readonly maxLengthBelow: Uint8Array;
}

const MAX_CLASSES = 16;
const cache = new WeakMap<TokenVocabulary, Map<string, ClassSubtrees>>();

/** `inClass[b]` = 1 for the bytes of C (b < 128); computed once per vocabulary and class (~10 ms). */
export function classSubtrees(vocabulary: TokenVocabulary, inClass: Uint8Array): ClassSubtrees {
  let byClass = cache.get(vocabulary);
  if (byClass === undefined) {
    byClass = new Map();
    cache.set(vocabulary, byClass);
  }
  const key = inClass.join('');
  let known = byClass.get(key);
  if (known === undefined) {
    known = compute(vocabulary, inClass);
    if (byClass.size >= MAX_CLASSES) byClass.clear();
    byClass.set(key, known);
  }
  return known;
}

function compute(vocabulary: TokenVocabulary, inClass: Uint8Array): ClassSubtrees {
  const { nodeByte, nodeParent, tokenStart } = vocabulary;
  const n = nodeParent.length;
  const pure = new Uint8Array(n); // the path from the root is all C
  const depth = new Uint8Array(n);
  pure[0] = 1;
  for (let node = 1; node < n; node++) {
    const p = nodeParent[node] as number; // preorder: the parent comes first
    pure[node] = pure[p] === 1 && inClass[nodeByte[node] as number] === 1 ? 1 : 0;
    depth[node] = Math.min(255, (depth[p] as number) + 1);
  }
  const outsideBelow = new Uint8Array(n);
  const maxLengthBelow = new Uint8Array(n);
  for (let node = n - 1; node >= 0; node--) {
    const hasTokens = (tokenStart[node + 1] as number) > (tokenStart[node] as number);
    if (hasTokens) {
      if (pure[node] === 1)
        maxLengthBelow[node] = Math.max(maxLengthBelow[node] as number, depth[node] as number);
      else outsideBelow[node] = 1;
    }
    const p = nodeParent[node] as number;
    if (p >= 0) {
      if (outsideBelow[node] === 1) outsideBelow[p] = 1;
      if ((maxLengthBelow[node] as number) > (maxLengthBelow[p] as number))
        maxLengthBelow[p] = maxLengthBelow[node] as number;
    }
  }
  return { outsideBelow, maxLengthBelow };
}
