/** One entry of tokenizer.json `added_tokens`. */
export interface AddedToken {
  id: number;
  content: string;
  special: boolean;
  lstrip: boolean;
  rstrip: boolean;
  normalized: boolean;
  singleWord: boolean;
}

/** A piece of text after added-token extraction: either an added token's id, or text still to tokenize. */
export type Piece = { id: number; text?: undefined } | { id?: undefined; text: string };

interface TrieNode {
  children: Map<number, TrieNode>;
  /** Index into the token list of a token ending here, or -1. */
  token: number;
}

// The Rust library's regexes are Unicode-aware: \w and \s there are these classes.
const wordStart = /^[\p{Alphabetic}\p{M}\p{Nd}\p{Pc}\p{Join_Control}]/u;
const wordEnd = /[\p{Alphabetic}\p{M}\p{Nd}\p{Pc}\p{Join_Control}]$/u;
const spaceAtStart = /^\p{White_Space}*/u;
const spaceAtEnd = /\p{White_Space}*$/u;

/**
 * Literal matcher for a set of added tokens, leftmost-longest like the Rust library's Aho-Corasick
 * (`MatchKind::LeftmostLongest`), then single_word / lstrip / rstrip as in `AddedVocabulary::find_matches`.
 * A trie walked only from positions whose UTF-16 unit starts some token (a 64 KiB bitmap).
 */
export class AddedTokenMatcher {
  private readonly root: TrieNode = { children: new Map(), token: -1 };
  private readonly firstUnit = new Uint8Array(65536);
  readonly isEmpty: boolean;

  constructor(
    private readonly tokens: AddedToken[],
    /** The string each token is matched as (its content, or its normalized content). */
    patterns: string[],
  ) {
    for (let t = 0; t < tokens.length; t++) {
      const pattern = patterns[t]!;
      if (pattern === '') continue;
      let node = this.root;
      for (let i = 0; i < pattern.length; i++) {
        const unit = pattern.charCodeAt(i);
        let child = node.children.get(unit);
        if (child === undefined) {
          child = { children: new Map(), token: -1 };
          node.children.set(unit, child);
        }
        node = child;
      }
      // Two tokens with the same pattern: the first one in the file wins.
      if (node.token === -1) node.token = t;
      this.firstUnit[pattern.charCodeAt(0)] = 1;
    }
    this.isEmpty = this.root.children.size === 0;
  }

  /** Splits `text` into added tokens and the text between them; pushes pieces to `out`. */
  split(text: string, out: Piece[]): void {
    if (this.isEmpty || text === '') {
      if (text !== '') out.push({ text });
      return;
    }
    const firstUnit = this.firstUnit;
    const n = text.length;
    let startOffset = 0;
    let i = 0;
    while (i < n) {
      if (firstUnit[text.charCodeAt(i)] === 0) {
        i++;
        continue;
      }
      // Longest token starting at i.
      let node: TrieNode | undefined = this.root;
      let matchToken = -1;
      let matchEnd = -1;
      for (let j = i; j < n; j++) {
        node = node.children.get(text.charCodeAt(j));
        if (node === undefined) break;
        if (node.token !== -1) {
          matchToken = node.token;
          matchEnd = j + 1;
        }
      }
      if (matchToken === -1) {
        i++;
        continue;
      }
      const token = this.tokens[matchToken]!;
      let start = i;
      let stop = matchEnd;
      i = matchEnd;
      if (token.singleWord) {
        const startSpace = start === 0 || !wordEnd.test(text.slice(0, start));
        const stopSpace = stop === n || !wordStart.test(text.slice(stop));
        if (!startSpace || !stopSpace) continue;
      }
      if (token.lstrip) {
        const before = text.slice(0, start);
        const newStart = before.length - (spaceAtEnd.exec(before)?.[0].length ?? 0);
        start = Math.max(newStart, startOffset);
      }
      if (token.rstrip) stop += spaceAtStart.exec(text.slice(stop))?.[0].length ?? 0;
      if (startOffset < start) out.push({ text: text.slice(startOffset, start) });
      out.push({ id: token.id });
      startOffset = stop;
    }
    if (startOffset < n) out.push({ text: text.slice(startOffset) });
  }
}
