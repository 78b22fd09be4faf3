import { GrammarTooLargeError } from '../errors/grammar-too-large-error.js';
import type { Nfa } from './nfa.js';

export const DEAD = -1;
const UNKNOWN = -2;

/** Default bound on DFA states built on demand (each costs 1 KiB of transitions). */
export const DEFAULT_MAX_DFA_STATES = 50_000;

/**
 * The subset construction of a byte NFA, built lazily: a state's 256 transitions are computed the
 * first time one of them is asked for. A DFA state is the set of NFA states that have byte edges or
 * accept (after epsilon closure), so equivalent sets share an id.
 */
export class LazyDfa {
  readonly start: number;
  private transitions = new Int32Array(256 * 64).fill(UNKNOWN);
  private readonly sets: Int32Array[] = [];
  private readonly ids = new Map<string, number>();
  private readonly accepting: boolean[] = [];
  private readonly distances: number[] = [];

  constructor(
    private readonly nfa: Nfa,
    private readonly maxStates = DEFAULT_MAX_DFA_STATES,
  ) {
    this.start = this.intern(this.closure([0]));
  }

  get stateCount(): number {
    return this.sets.length;
  }

  /** The state after `byte` from `state`, or DEAD. */
  next(state: number, byte: number): number {
    const t = this.transitions[state * 256 + byte] as number;
    if (t !== UNKNOWN) return t;
    this.computeRow(state);
    return this.transitions[state * 256 + byte] as number;
  }

  /** The transition row [256] of `state` (DEAD where no byte continues). Computed if needed. */
  row(state: number): Int32Array {
    if (this.transitions[state * 256] === UNKNOWN) this.computeRow(state);
    return this.transitions.subarray(state * 256, state * 256 + 256);
  }

  /** The whole transition table (rows may be UNKNOWN = -2 until computed; see `row`). */
  get table(): Int32Array {
    return this.transitions;
  }

  isAccepting(state: number): boolean {
    return this.accepting[state] as boolean;
  }

  /** Fewest bytes from `state` to an accepting state (-1: none). */
  distance(state: number): number {
    return this.distances[state] as number;
  }

  private computeRow(state: number): void {
    const set = this.sets[state] as Int32Array;
    const targets: number[][] = Array.from({ length: 256 }, () => []);
    for (const s of set) {
      const edges = this.nfa.byteEdges[s] as readonly number[];
      for (let i = 0; i < edges.length; i += 3) {
        const hi = edges[i + 1] as number;
        const t = edges[i + 2] as number;
        for (let b = edges[i] as number; b <= hi; b++) (targets[b] as number[]).push(t);
      }
    }
    const byTargets = new Map<string, number>();
    const base = state * 256;
    for (let b = 0; b < 256; b++) {
      const list = targets[b] as number[];
      if (list.length === 0) {
        this.transitions[base + b] = DEAD;
        continue;
      }
      const key = list.join(',');
      let id = byTargets.get(key);
      if (id === undefined) {
        const closed = this.closure(list);
        id = closed.length === 0 ? DEAD : this.intern(closed);
        byTargets.set(key, id);
      }
      // intern may have grown (replaced) the table: index it afresh
      this.transitions[base + b] = id;
    }
  }

  /** The epsilon closure of `seeds`, kept to states with byte edges or the accept state, sorted. */
  private closure(seeds: readonly number[]): Int32Array {
    const seen = new Set<number>();
    const stack = [...seeds];
    const kept: number[] = [];
    while (stack.length > 0) {
      const s = stack.pop() as number;
      if (seen.has(s)) continue;
      seen.add(s);
      if ((this.nfa.byteEdges[s] as readonly number[]).length > 0 || s === this.nfa.accept) kept.push(s);
      for (const t of this.nfa.epsilon[s] as readonly number[]) if (!seen.has(t)) stack.push(t);
    }
    return Int32Array.from(kept).sort();
  }

  private intern(set: Int32Array): number {
    const key = set.join(',');
    const known = this.ids.get(key);
    if (known !== undefined) return known;
    if (this.sets.length >= this.maxStates) {
      throw new GrammarTooLargeError({
        what: 'DFA states',
        limit: this.maxStates,
        detail: 'the constraint has too many distinct positions; simplify the schema or pattern',
      });
    }
    const id = this.sets.length;
    this.sets.push(set);
    this.ids.set(key, id);
    let accepting = false;
    let distance = -1;
    for (const s of set) {
      if (s === this.nfa.accept) accepting = true;
      const d = this.nfa.distance[s] as number;
      if (d >= 0 && (distance < 0 || d < distance)) distance = d;
    }
    this.accepting.push(accepting);
    this.distances.push(distance);
    if ((id + 1) * 256 > this.transitions.length) {
      const grown = new Int32Array(this.transitions.length * 2).fill(UNKNOWN);
      grown.set(this.transitions);
      this.transitions = grown;
    }
    return id;
  }
}
