import { DEFAULT_MAX_DFA_STATES, LazyDfa } from './dfa.js';
import { GrammarConstraint } from './grammar-constraint.js';
import { buildNfa, DEFAULT_MAX_NFA_STATES } from './nfa.js';
import type { Pattern } from './pattern.js';
import { type AllowedTokens, TokenMasks } from './token-masks.js';
import type { TokenVocabulary } from './token-vocabulary.js';

export interface GrammarLimits {
  /** Most NFA states (bounds compile time and memory). Default 300000. */
  maxNfaStates?: number;
  /** Most DFA states built while generating. Default 50000. */
  maxDfaStates?: number;
}

/**
 * A pattern compiled against a vocabulary: the byte automaton (built lazily) and the allowed tokens
 * per automaton state (cached on first use). Compile once per schema or regex, then `constraint()`
 * per row; the caches are shared by every row and every request using this object.
 */
export class CompiledGrammar {
  readonly dfa: LazyDfa;
  readonly masks: TokenMasks;
  private readonly disallowed = new Map<number, Int32Array>();
  private disallowedIds = 0;
  private gathered = new Float32Array(1024);

  constructor(
    pattern: Pattern,
    readonly vocabulary: TokenVocabulary,
    limits: GrammarLimits = {},
  ) {
    const nfa = buildNfa(pattern, limits.maxNfaStates ?? DEFAULT_MAX_NFA_STATES);
    this.dfa = new LazyDfa(nfa, limits.maxDfaStates ?? DEFAULT_MAX_DFA_STATES);
    this.masks = new TokenMasks(this.dfa, vocabulary);
  }

  /** A fresh per-row constraint at the start of the output. */
  constraint(): GrammarConstraint {
    return new GrammarConstraint(this);
  }

  /**
   * Sets every score but the allowed tokens' to -Infinity. Small sets: keep the allowed scores, fill,
   * put them back. Large sets (inside free text): set only the complement, cached per state.
   */
  applyAllowed(scores: Float32Array, state: number, allowed: AllowedTokens): void {
    const { ids } = allowed;
    if (allowed.allPlain) {
      const off = this.plainComplement(state, ids, scores.length);
      for (let i = 0; i < off.length; i++) scores[off[i] as number] = Number.NEGATIVE_INFINITY;
      return;
    }
    if (ids.length * 2 > scores.length) {
      const off = this.complement(state, ids, scores.length);
      for (let i = 0; i < off.length; i++) scores[off[i] as number] = Number.NEGATIVE_INFINITY;
      return;
    }
    if (this.gathered.length < ids.length) this.gathered = new Float32Array(ids.length * 2);
    const kept = this.gathered;
    for (let i = 0; i < ids.length; i++) kept[i] = scores[ids[i] as number] as number;
    scores.fill(Number.NEGATIVE_INFINITY);
    for (let i = 0; i < ids.length; i++) scores[ids[i] as number] = kept[i] as number;
  }

  /** Caches a complement list; past 4M ids (16 MiB) the cache starts over: memory stays bounded. */
  private remember(state: number, off: Int32Array): void {
    this.disallowedIds += off.length;
    if (this.disallowedIds > 4_000_000) {
      this.disallowed.clear();
      this.disallowedIds = off.length;
    }
    this.disallowed.set(state, off);
  }

  /** The ids that are neither plain-text tokens nor listed in `ids` (cached per state). */
  private plainComplement(state: number, ids: Int32Array, width: number): Int32Array {
    let off = this.disallowed.get(state);
    if (off === undefined) {
      const listed = new Set(ids);
      off = this.vocabulary.notPlainIds(width).filter((id) => !listed.has(id));
      this.remember(state, off);
    }
    return off;
  }

  private complement(state: number, ids: Int32Array, width: number): Int32Array {
    let off = this.disallowed.get(state);
    if (off === undefined || off.length + ids.length !== width) {
      const on = new Uint8Array(width);
      for (let i = 0; i < ids.length; i++) on[ids[i] as number] = 1;
      const list: number[] = [];
      for (let id = 0; id < width; id++) if (on[id] === 0) list.push(id);
      off = Int32Array.from(list);
      this.remember(state, off);
    }
    return off;
  }
}
