import { classSubtrees } from './class-subtrees.js';
import type { LazyDfa } from './dfa.js';
import type { TokenVocabulary } from './token-vocabulary.js';
import { utf8Sequences } from './utf8-sequences.js';

/**
 * The tokens that can come next from one DFA state (their whole bytes keep the automaton alive and
 * completable), with the distance to acceptance after each one, for the budget rule.
 */
export interface AllowedTokens {
  /** Tokens allowed (with `allPlain`, those besides the plain-text ones; may repeat some of them). */
  readonly ids: Int32Array;
  /** Per token of `ids`, fewest bytes to acceptance after it. */
  readonly distances: Int32Array;
  /**
   * Every plain-text token (`vocabulary.plainIds`) is allowed too, each with `plainDistance`: inside
   * a JSON string, where the set is most of the vocabulary and only the rest is worth listing.
   */
  readonly allPlain: boolean;
  readonly plainDistance: number;
  readonly maxDistance: number;
}

/** Every allowed id once, with its distance. */
export function expandAllowed(
  allowed: AllowedTokens,
  vocabulary: TokenVocabulary,
): { ids: Int32Array; distances: Int32Array } {
  if (!allowed.allPlain) return allowed;
  const ids: number[] = [];
  const distances: number[] = [];
  allowed.ids.forEach((id, i) => {
    if ((vocabulary.plainChars[id] as number) >= 0) return; // listed below
    ids.push(id);
    distances.push(allowed.distances[i] as number);
  });
  for (const id of vocabulary.plainIds) {
    ids.push(id);
    distances.push(allowed.plainDistance);
  }
  return { ids: Int32Array.from(ids), distances: Int32Array.from(distances) };
}

/** Listed token ids kept over all cached states of one grammar (8 bytes each: 32 MiB). */
const MAX_CACHED_IDS = 4_000_000;

/** Byte-range sequences of every character a JSON string holds unescaped. */
const PLAIN_CHARACTERS = [
  ...utf8Sequences(0x20, 0x21),
  ...utf8Sequences(0x23, 0x5b),
  ...utf8Sequences(0x5d, 0x10ffff),
];

/**
 * Allowed tokens per DFA state, computed on the first visit of a state and cached: the vocabulary
 * trie is walked from the state, following the DFA byte by byte and pruning every subtree whose
 * prefix leaves the language, so the cost is the number of trie nodes that stay alive. Inside free
 * text (a state that every plain character leads back to, e.g. inside a JSON string) a subtree whose
 * tokens are all plain text is taken whole without walking it.
 */
export class TokenMasks {
  private readonly cache = new Map<number, AllowedTokens>();
  private cachedIds = 0;
  private readonly successor = new Map<number, number>();
  private readonly chains = new Map<number, Int32Array>();
  private readonly classChains = new Map<number, { inClass: Uint8Array; chain: Int32Array } | null>();
  private ids = new Int32Array(1 << 16);
  private distances = new Int32Array(1 << 16);

  constructor(
    private readonly dfa: LazyDfa,
    private readonly vocabulary: TokenVocabulary,
  ) {}

  /** Number of states whose allowed tokens are cached. */
  get cachedStates(): number {
    return this.cache.size;
  }

  allowed(state: number): AllowedTokens {
    let known = this.cache.get(state);
    if (known === undefined) {
      known = this.walk(state);
      // bounded memory: past the budget the cache starts over (states are walked again when revisited)
      this.cachedIds += known.ids.length;
      if (this.cachedIds > MAX_CACHED_IDS) {
        this.cache.clear();
        this.cachedIds = known.ids.length;
      }
      this.cache.set(state, known);
    }
    return known;
  }

  /** Whether every plain character read from `state` comes back to `state`. */
  private isPlainLoop(state: number): boolean {
    return this.plainSuccessor(state) === state;
  }

  /** The one state every plain character leads to from `state`, or -1 (none, or they differ). */
  private plainSuccessor(state: number): number {
    let known = this.successor.get(state);
    if (known === undefined) {
      let common = -2;
      for (const sequence of PLAIN_CHARACTERS) {
        let states = [state];
        for (const [lo, hi] of sequence) {
          const next = new Set<number>();
          for (const s of states) for (let b = lo; b <= hi; b++) next.add(this.dfa.next(s, b));
          states = [...next];
          if (states.some((s) => s < 0)) break;
        }
        if (states.length !== 1 || (states[0] as number) < 0 || (common !== -2 && states[0] !== common)) {
          common = -1;
          break;
        }
        common = states[0] as number;
      }
      known = common < 0 ? -1 : common;
      this.successor.set(state, known);
    }
    return known;
  }

  /**
   * chain[k] = the state after any k plain characters from `state` (inside a JSON string: a loop, or
   * the count states of minLength/maxLength), as far as every plain character agrees, up to the
   * longest plain token.
   */
  private plainChain(state: number): Int32Array {
    let chain = this.chains.get(state);
    if (chain === undefined) {
      const states = [state];
      // long enough for the longest plain token (Gemma 3: 31 characters)
      while (states.length <= this.vocabulary.maxPlainChars) {
        const next = this.plainSuccessor(states[states.length - 1] as number);
        if (next < 0) break;
        states.push(next);
      }
      chain = Int32Array.from(states);
      this.chains.set(state, chain);
    }
    return chain;
  }

  /**
   * A counted or looping ASCII class from `state`: the largest set C of ASCII bytes that all lead to
   * one state, followed while every byte of C keeps agreeing (chain[k] = the state after k bytes of C),
   * up to the longest token. Null when no two bytes agree or the chain stops at once.
   */
  private classChain(state: number): { inClass: Uint8Array; chain: Int32Array } | null {
    let known = this.classChains.get(state);
    if (known === undefined) {
      known = null;
      const groups = new Map<number, number[]>();
      for (let b = 0; b < 0x80; b++) {
        const t = this.dfa.next(state, b);
        if (t < 0) continue;
        const group = groups.get(t);
        if (group === undefined) groups.set(t, [b]);
        else group.push(b);
      }
      let bytes: number[] = [];
      for (const group of groups.values()) if (group.length > bytes.length) bytes = group;
      if (bytes.length >= 2) {
        const states = [state];
        const limit = this.vocabulary.maxTokenBytes;
        while (states.length <= limit) {
          const from = states[states.length - 1] as number;
          const to = this.dfa.next(from, bytes[0] as number);
          if (to < 0 || bytes.some((b) => this.dfa.next(from, b) !== to)) break;
          states.push(to);
        }
        if (states.length >= 3) {
          const inClass = new Uint8Array(0x80);
          for (const b of bytes) inClass[b] = 1;
          known = { inClass, chain: Int32Array.from(states) };
        }
      }
      this.classChains.set(state, known);
    }
    return known;
  }

  private walk(state: number): AllowedTokens {
    const { dfa } = this;
    const {
      edgeStart,
      edgeByte,
      edgeTarget,
      tokenStart,
      nodeTokens,
      subtreeEnd,
      plainTextBelow,
      impureBelow,
    } = this.vocabulary;
    // Tokens that are plain text as a whole, from a state where every plain character goes the same
    // way (a JSON string: a loop, or minLength/maxLength counts): a token of k characters ends in
    // chain[k], so whole subtrees of such tokens are taken without walking them.
    const { plainChars, maxCharsBelow } = this.vocabulary;
    const chain = this.plainChain(state);
    const chainDistance = Int32Array.from(chain, (q) => dfa.distance(q));
    // every plain token allowed, at one distance: they are not listed (see AllowedTokens.allPlain)
    const plainDistance = chainDistance[0] as number;
    const allPlain =
      chain.length > this.vocabulary.maxPlainChars &&
      plainDistance >= 0 &&
      chainDistance.every((d) => d === plainDistance);
    // Otherwise, a counted ASCII class (e.g. `[a-z]{0,61}`): tokens made of its bytes end chain[length].
    const cls = allPlain ? null : this.classChain(state);
    const classInfo = cls === null ? null : classSubtrees(this.vocabulary, cls.inClass);
    const classChain = cls?.chain ?? new Int32Array(0);
    const classDistance = Int32Array.from(classChain, (q) => dfa.distance(q));
    const { tokenBytes } = this.vocabulary;
    let count = 0;
    let maxDistance = 0;
    const add = (from: number, to: number, distance: number): void => {
      if (count + (to - from) > this.ids.length) this.grow(count + (to - from));
      for (let t = from; t < to; t++) {
        this.ids[count] = nodeTokens[t] as number;
        this.distances[count] = distance;
        count++;
      }
      if (to > from && distance > maxDistance) maxDistance = distance;
    };
    /** Plain-text tokens nodeTokens[from..to): each ends chain[its characters] away. */
    const addPlain = (from: number, to: number): void => {
      if (count + (to - from) > this.ids.length) this.grow(count + (to - from));
      for (let t = from; t < to; t++) {
        const id = nodeTokens[t] as number;
        const distance = chainDistance[plainChars[id] as number] as number;
        if (distance < 0) continue;
        this.ids[count] = id;
        this.distances[count] = distance;
        count++;
        if (distance > maxDistance) maxDistance = distance;
      }
    };
    /** Tokens nodeTokens[from..to) made of the class's bytes: each ends classChain[its length] away. */
    const addClass = (from: number, to: number): void => {
      if (count + (to - from) > this.ids.length) this.grow(count + (to - from));
      for (let t = from; t < to; t++) {
        const id = nodeTokens[t] as number;
        const distance = classDistance[(tokenBytes[id] as Uint8Array).length] as number;
        if (distance < 0) continue;
        this.ids[count] = id;
        this.distances[count] = distance;
        count++;
        if (distance > maxDistance) maxDistance = distance;
      }
    };
    const stackNodes: number[] = [0];
    const stackStates: number[] = [state];
    let table = dfa.table;
    while (stackNodes.length > 0) {
      const node = stackNodes.pop() as number;
      const q = stackStates.pop() as number;
      const rowBase = q * 256;
      const end = edgeStart[node + 1] as number;
      for (let e = edgeStart[node] as number; e < end; e++) {
        const target = edgeTarget[e] as number;
        if (
          classInfo !== null &&
          classInfo.outsideBelow[target] === 0 &&
          (classInfo.maxLengthBelow[target] as number) < classChain.length
        ) {
          addClass(tokenStart[target] as number, tokenStart[subtreeEnd[target] as number] as number);
          continue;
        }
        if (impureBelow[target] === 0 && (maxCharsBelow[target] as number) < chain.length) {
          if (!allPlain)
            addPlain(tokenStart[target] as number, tokenStart[subtreeEnd[target] as number] as number);
          continue;
        }
        let next = table[rowBase + (edgeByte[e] as number)] as number;
        if (next === -2) {
          next = dfa.next(q, edgeByte[e] as number);
          table = dfa.table;
        }
        if (next < 0) continue;
        const distance = dfa.distance(next);
        if (distance < 0) continue; // alive but never completable
        const child = edgeTarget[e] as number;
        if (plainTextBelow[child] === 1 && this.isPlainLoop(next)) {
          add(tokenStart[child] as number, tokenStart[subtreeEnd[child] as number] as number, distance);
          table = dfa.table;
          continue;
        }
        add(tokenStart[child] as number, tokenStart[child + 1] as number, distance);
        if ((edgeStart[child + 1] as number) > (edgeStart[child] as number)) {
          stackNodes.push(child);
          stackStates.push(next);
        }
      }
    }
    if (allPlain && plainDistance > maxDistance) maxDistance = plainDistance;
    return {
      ids: this.ids.slice(0, count),
      distances: this.distances.slice(0, count),
      allPlain,
      plainDistance,
      maxDistance,
    };
  }

  private grow(needed: number): void {
    let size = this.ids.length;
    while (size < needed) size *= 2;
    const ids = new Int32Array(size);
    ids.set(this.ids);
    this.ids = ids;
    const distances = new Int32Array(size);
    distances.set(this.distances);
    this.distances = distances;
  }
}
