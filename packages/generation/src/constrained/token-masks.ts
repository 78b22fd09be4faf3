import type { LazyDfa } from './dfa.js';
import type { TokenVocabulary } from './token-vocabulary.js';
import { utf8Sequences } from './utf8-sequences.js';

/**
 * The tokens that can come next from one DFA state (their whole bytes keep the automaton alive and
 * completable), with the distance to acceptance after each one, for the budget rule.
 */
export interface AllowedTokens {
  readonly ids: Int32Array;
  /** Per allowed token, fewest bytes to acceptance after it. */
  readonly distances: Int32Array;
  readonly maxDistance: number;
}

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
  private readonly plainLoop = new Map<number, boolean>();
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
      this.cache.set(state, known);
    }
    return known;
  }

  /** Whether every plain character read from `state` comes back to `state`. */
  private isPlainLoop(state: number): boolean {
    let known = this.plainLoop.get(state);
    if (known === undefined) {
      known = PLAIN_CHARACTERS.every((sequence) => {
        let states = [state];
        for (const [lo, hi] of sequence) {
          const next = new Set<number>();
          for (const s of states) for (let b = lo; b <= hi; b++) next.add(this.dfa.next(s, b));
          states = [...next];
          if (states.some((s) => s < 0)) return false;
        }
        return states.length === 1 && states[0] === state;
      });
      this.plainLoop.set(state, known);
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
    // From a plain-text loop, every token that is plain text as a whole comes back to `state`.
    const startsInLoop = this.isPlainLoop(state);
    const startDistance = dfa.distance(state);
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
    const stackNodes: number[] = [0];
    const stackStates: number[] = [state];
    let table = dfa.table;
    while (stackNodes.length > 0) {
      const node = stackNodes.pop() as number;
      const q = stackStates.pop() as number;
      const rowBase = q * 256;
      const end = edgeStart[node + 1] as number;
      for (let e = edgeStart[node] as number; e < end; e++) {
        if (startsInLoop && impureBelow[edgeTarget[e] as number] === 0) {
          const child = edgeTarget[e] as number;
          add(tokenStart[child] as number, tokenStart[subtreeEnd[child] as number] as number, startDistance);
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
    return { ids: this.ids.slice(0, count), distances: this.distances.slice(0, count), maxDistance };
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
