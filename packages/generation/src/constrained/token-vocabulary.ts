/**
 * A model vocabulary as the bytes each token decodes to, with a byte trie over them, built once per
 * tokenizer and shared by every constraint. Tokens without bytes (special and control tokens) are
 * never allowed by a constraint.
 *
 * Trie layout (preorder, root = node 0): the edges of node n are `edgeByte/edgeTarget[edgeStart[n] ..
 * edgeStart[n + 1])`, in byte order; the tokens that end at node n are `nodeTokens[tokenStart[n] ..
 * tokenStart[n + 1])`.
 */
export class TokenVocabulary {
  /** Number of token ids (a logits row may be wider: the extra ids are never allowed). */
  readonly size: number;
  readonly tokenBytes: readonly (Uint8Array | null)[];
  readonly edgeStart: Int32Array;
  readonly edgeByte: Uint8Array;
  readonly edgeTarget: Int32Array;
  readonly tokenStart: Int32Array;
  readonly nodeTokens: Int32Array;
  /** Preorder: the subtree of node n is the nodes [n, subtreeEnd[n]). */
  readonly subtreeEnd: Int32Array;
  /**
   * 1 where every token below the node (its own included) continues the node's prefix with whole,
   * valid UTF-8 characters none of which a JSON string must escape: from a state that loops on every
   * such character, the whole subtree is allowed without walking it.
   */
  readonly plainTextBelow: Uint8Array;
  /**
   * 1 where some token below the node (its own included) is not plain text as a whole (holds `"`, `\\`,
   * a control character, or a partial UTF-8 character). From a state that loops on plain text, every
   * token below a node without such a token is allowed: the walk skips those subtrees.
   */
  readonly impureBelow: Uint8Array;
  /** Per token id: its number of characters when it is plain text as a whole, else -1. */
  readonly plainChars: Int16Array;
  /** Most characters of a token below the node (its own included); meaningful where impureBelow is 0. */
  readonly maxCharsBelow: Int16Array;
  /** The ids of the tokens that are plain text as a whole, and the most characters one has. */
  readonly plainIds: Int32Array;
  readonly maxPlainChars: number;
  /** The longest token, in bytes. */
  readonly maxTokenBytes: number;
  private notPlain: Int32Array | undefined;
  /** Per node: the byte of the edge into it, its parent (-1 for the root), its depth. */
  readonly nodeByte: Uint8Array;
  readonly nodeParent: Int32Array;

  constructor(tokenBytes: readonly (Uint8Array | null)[]) {
    this.size = tokenBytes.length;
    this.tokenBytes = tokenBytes;
    const ids: number[] = [];
    tokenBytes.forEach((bytes, id) => {
      if (bytes !== null && bytes.length > 0) ids.push(id);
    });
    ids.sort((a, b) => compareBytes(tokenBytes[a] as Uint8Array, tokenBytes[b] as Uint8Array));
    // Preorder nodes from the sorted tokens: pop to the common prefix, push the rest.
    const parent: number[] = [-1];
    const byte: number[] = [0];
    const tokenNode = new Int32Array(ids.length);
    const notPlain: number[] = [];
    const impure: number[] = [];
    this.plainChars = new Int16Array(tokenBytes.length).fill(-1);
    const charsAt: number[] = [0];
    const path: number[] = [0]; // path[d] = node at depth d of the current token
    let previous: Uint8Array = new Uint8Array(0);
    ids.forEach((id, i) => {
      const bytes = tokenBytes[id] as Uint8Array;
      let common = 0;
      while (common < bytes.length && common < previous.length && bytes[common] === previous[common])
        common++;
      path.length = common + 1;
      for (let d = common; d < bytes.length; d++) {
        parent.push(path[d] as number);
        byte.push(bytes[d] as number);
        path.push(parent.length - 1);
      }
      tokenNode[i] = path[bytes.length] as number;
      const plainFrom = plainSuffixes(bytes);
      for (let d = 0; d <= bytes.length; d++) if (plainFrom[d] === 0) notPlain.push(path[d] as number);
      if (plainFrom[0] === 0) impure.push(path[bytes.length] as number);
      else {
        let chars = 0;
        for (const b of bytes) if ((b & 0xc0) !== 0x80) chars++;
        this.plainChars[id] = chars;
        const node = path[bytes.length] as number;
        charsAt[node] = Math.max(charsAt[node] ?? 0, chars);
      }
      previous = bytes;
    });
    const nodeCount = parent.length;
    this.nodeByte = Uint8Array.from(byte);
    this.nodeParent = Int32Array.from(parent);
    this.subtreeEnd = new Int32Array(nodeCount);
    this.plainTextBelow = new Uint8Array(nodeCount).fill(1);
    // each token marks every node on its path from which its rest is not plain: no folding needed
    for (const n of notPlain) this.plainTextBelow[n] = 0;
    this.impureBelow = new Uint8Array(nodeCount);
    for (const n of impure) this.impureBelow[n] = 1;
    const plainIds: number[] = [];
    let maxPlainChars = 0;
    this.plainChars.forEach((chars, id) => {
      if (chars < 0) return;
      plainIds.push(id);
      if (chars > maxPlainChars) maxPlainChars = chars;
    });
    this.plainIds = Int32Array.from(plainIds);
    this.maxTokenBytes = tokenBytes.reduce((m, b) => Math.max(m, b?.length ?? 0), 0);
    this.maxPlainChars = maxPlainChars;
    this.maxCharsBelow = new Int16Array(nodeCount);
    for (let n = 0; n < nodeCount; n++) this.maxCharsBelow[n] = charsAt[n] ?? 0;
    for (let n = nodeCount - 1; n >= 0; n--) {
      // children come after their parent in preorder: fold them up from the end
      if (this.subtreeEnd[n] === 0) this.subtreeEnd[n] = n + 1;
      const p = parent[n] as number;
      if (p >= 0 && this.impureBelow[n] === 1) this.impureBelow[p] = 1;
      if (p >= 0 && (this.maxCharsBelow[n] as number) > (this.maxCharsBelow[p] as number)) {
        this.maxCharsBelow[p] = this.maxCharsBelow[n] as number;
      }
      if (p >= 0 && (this.subtreeEnd[n] as number) > (this.subtreeEnd[p] as number)) {
        this.subtreeEnd[p] = this.subtreeEnd[n] as number;
      }
    }
    this.edgeStart = new Int32Array(nodeCount + 1);
    for (let n = 1; n < nodeCount; n++) (this.edgeStart[(parent[n] as number) + 1] as number)++;
    for (let n = 0; n < nodeCount; n++)
      this.edgeStart[n + 1] = (this.edgeStart[n + 1] as number) + (this.edgeStart[n] as number);
    this.edgeByte = new Uint8Array(nodeCount - 1);
    this.edgeTarget = new Int32Array(nodeCount - 1);
    const fill = this.edgeStart.slice(0, nodeCount);
    for (let n = 1; n < nodeCount; n++) {
      const p = parent[n] as number;
      const e = fill[p] as number;
      fill[p] = e + 1;
      this.edgeByte[e] = byte[n] as number;
      this.edgeTarget[e] = n;
    }
    this.tokenStart = new Int32Array(nodeCount + 1);
    for (let i = 0; i < ids.length; i++) (this.tokenStart[(tokenNode[i] as number) + 1] as number)++;
    for (let n = 0; n < nodeCount; n++)
      this.tokenStart[n + 1] = (this.tokenStart[n + 1] as number) + (this.tokenStart[n] as number);
    this.nodeTokens = new Int32Array(ids.length);
    const tokenFill = this.tokenStart.slice(0, nodeCount);
    ids.forEach((id, i) => {
      const n = tokenNode[i] as number;
      const at = tokenFill[n] as number;
      tokenFill[n] = at + 1;
      this.nodeTokens[at] = id;
    });
  }

  /** Ids in [0, width) that are not plain-text tokens (special, holding `"` `\\` or controls, partial characters, past the vocabulary). */
  notPlainIds(width: number): Int32Array {
    if (this.notPlain === undefined || this.notPlain.length === 0 || width !== this.notPlainWidth) {
      const list: number[] = [];
      for (let id = 0; id < width; id++)
        if (id >= this.size || (this.plainChars[id] as number) < 0) list.push(id);
      this.notPlain = Int32Array.from(list);
      this.notPlainWidth = width;
    }
    return this.notPlain;
  }

  private notPlainWidth = -1;

  get nodeCount(): number {
    return this.edgeStart.length - 1;
  }

  /**
   * A SentencePiece vocabulary (Gemma's): each id's piece string, `null` for ids that must never be
   * produced under a constraint (special and control tokens). `▁` decodes to a space and `<0xNN>`
   * byte-fallback pieces to the byte NN, as Gemma's decoder does.
   */
  static fromPieces(pieces: readonly (string | null)[]): TokenVocabulary {
    const encoder = new TextEncoder();
    return new TokenVocabulary(
      pieces.map((piece) => {
        if (piece === null) return null;
        const byteFallback = /^<0x([0-9A-Fa-f]{2})>$/.exec(piece);
        if (byteFallback) return Uint8Array.of(Number.parseInt(byteFallback[1] as string, 16));
        return encoder.encode(piece.replaceAll('\u2581', ' '));
      }),
    );
  }
}

/**
 * plain[i] = 1 when bytes[i..] is whole, valid UTF-8 characters, none of them `"`, `\\` or a control
 * character (what a JSON string holds unescaped).
 */
function plainSuffixes(bytes: Uint8Array): Uint8Array {
  const plain = new Uint8Array(bytes.length + 1);
  plain[bytes.length] = 1;
  for (let i = bytes.length - 1; i >= 0; i--) {
    const length = plainCharLength(bytes, i);
    plain[i] = length > 0 && plain[i + length] === 1 ? 1 : 0;
  }
  return plain;
}

/** Length of the plain character starting at bytes[i], 0 if none starts there. */
function plainCharLength(bytes: Uint8Array, i: number): number {
  const b = bytes[i] as number;
  if (b < 0x80) return b >= 0x20 && b !== 0x22 && b !== 0x5c ? 1 : 0;
  const cont = (k: number, lo = 0x80, hi = 0xbf): boolean => {
    const c = bytes[i + k];
    return c !== undefined && c >= lo && c <= hi;
  };
  if (b >= 0xc2 && b <= 0xdf) return cont(1) ? 2 : 0;
  if (b === 0xe0) return cont(1, 0xa0) && cont(2) ? 3 : 0;
  if (b === 0xed) return cont(1, 0x80, 0x9f) && cont(2) ? 3 : 0;
  if (b >= 0xe1 && b <= 0xef) return cont(1) && cont(2) ? 3 : 0;
  if (b === 0xf0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (b >= 0xf1 && b <= 0xf3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (b === 0xf4) return cont(1, 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] as number) - (b[i] as number);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}
