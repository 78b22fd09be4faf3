import { GrammarTooLargeError } from '../errors/grammar-too-large-error.js';
import type { Pattern } from './pattern.js';
import { utf8Sequences } from './utf8-sequences.js';

/** Default bound on automaton size: bounds compile time and memory for any schema or regex. */
export const DEFAULT_MAX_NFA_STATES = 300_000;

/**
 * A byte-level Thompson NFA: state 0 starts, `accept` accepts; each state has epsilon edges and byte
 * range edges. `distance[s]` = fewest bytes from s to acceptance (-1: acceptance unreachable).
 */
export interface Nfa {
  readonly stateCount: number;
  readonly accept: number;
  readonly epsilon: readonly (readonly number[])[];
  /** Per state, flat triples (lo, hi, target). */
  readonly byteEdges: readonly (readonly number[])[];
  readonly distance: Int32Array;
}

export function buildNfa(pattern: Pattern, maxStates = DEFAULT_MAX_NFA_STATES): Nfa {
  const epsilon: number[][] = [];
  const byteEdges: number[][] = [];
  const newState = (): number => {
    if (epsilon.length >= maxStates) {
      throw new GrammarTooLargeError({
        what: 'automaton states',
        limit: maxStates,
        detail: 'simplify the schema or pattern: fewer alternatives, smaller repetition counts or lengths',
      });
    }
    epsilon.push([]);
    byteEdges.push([]);
    return epsilon.length - 1;
  };
  const eps = (from: number, to: number): void => {
    (epsilon[from] as number[]).push(to);
  };
  /** Adds `p` starting at `from`; returns the state where it ends. */
  const build = (p: Pattern, from: number): number => {
    switch (p.kind) {
      case 'chars': {
        const end = newState();
        for (const [lo, hi] of p.ranges) {
          for (const sequence of utf8Sequences(lo, hi)) {
            let current = from;
            sequence.forEach(([blo, bhi], i) => {
              const next = i === sequence.length - 1 ? end : newState();
              (byteEdges[current] as number[]).push(blo, bhi, next);
              current = next;
            });
          }
        }
        return end;
      }
      case 'seq': {
        let current = from;
        for (const item of p.items) current = build(item, current);
        return current;
      }
      case 'alt': {
        const end = newState();
        for (const option of p.options) {
          const start = newState();
          eps(from, start);
          eps(build(option, start), end);
        }
        return end;
      }
      case 'repeat': {
        let current = from;
        for (let i = 0; i < p.min; i++) current = build(p.item, current);
        if (p.max === Number.POSITIVE_INFINITY) {
          const loop = newState();
          eps(current, loop);
          eps(build(p.item, loop), loop);
          return loop;
        }
        if (p.max === p.min) return current;
        const end = newState();
        for (let i = p.min; i < p.max; i++) {
          eps(current, end);
          current = build(p.item, current);
        }
        eps(current, end);
        return end;
      }
      case 'list': {
        const itemStart = newState();
        eps(from, itemStart);
        const itemEnd = build(p.item, itemStart);
        eps(build(p.separator, itemEnd), itemStart);
        return itemEnd;
      }
    }
  };
  const start = newState();
  const accept = build(pattern, start);
  return {
    stateCount: epsilon.length,
    accept,
    epsilon,
    byteEdges,
    distance: distances(epsilon, byteEdges, accept),
  };
}

/** Fewest bytes from each state to `accept`: a 0-1 BFS over the reversed edges. */
function distances(epsilon: number[][], byteEdges: number[][], accept: number): Int32Array {
  const n = epsilon.length;
  const reverseEps: number[][] = Array.from({ length: n }, () => []);
  const reverseByte: number[][] = Array.from({ length: n }, () => []);
  for (let s = 0; s < n; s++) {
    for (const t of epsilon[s] as number[]) (reverseEps[t] as number[]).push(s);
    const edges = byteEdges[s] as number[];
    for (let i = 0; i < edges.length; i += 3) (reverseByte[edges[i + 2] as number] as number[]).push(s);
  }
  const distance = new Int32Array(n).fill(-1);
  // Layer by layer: epsilon edges stay in the layer, byte edges feed the next one.
  let layer = [accept];
  let d = 0;
  distance[accept] = 0;
  while (layer.length > 0) {
    const next: number[] = [];
    for (let i = 0; i < layer.length; i++) {
      const s = layer[i] as number;
      for (const p of reverseEps[s] as number[]) {
        if (distance[p] === -1 || (distance[p] as number) > d) {
          distance[p] = d;
          layer.push(p);
        }
      }
      for (const p of reverseByte[s] as number[]) {
        if (distance[p] === -1) {
          distance[p] = d + 1;
          next.push(p);
        }
      }
    }
    layer = next.filter((s) => distance[s] === d + 1);
    d += 1;
  }
  return distance;
}
