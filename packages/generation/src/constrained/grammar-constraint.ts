import { ConstraintViolationError } from '../errors/constraint-violation-error.js';
import type { ConstraintStep, LogitsConstraint } from '../logits-constraint.js';
import type { CompiledGrammar } from './compiled-grammar.js';
import { expandAllowed } from './token-masks.js';

/**
 * One row's position in a compiled grammar. `mask` leaves finite only the tokens whose bytes keep the
 * output a prefix of the language, plus the end tokens where the output is complete.
 *
 * Budget rule: a token is allowed only if the output can still be completed in the tokens left after
 * it (every byte has a byte-fallback token, so `d` bytes to acceptance take at most `d` tokens). So
 * when maxNewTokens leaves room for a complete output at the start, the row always ends with a
 * complete output: with an end token (`stop`) or, when the last token completed it, at `length`. When
 * it does not leave room, the row ends at `length` with an incomplete output. Until the budget is
 * tight the rule removes nothing, so a model that would write a valid output anyway is not changed.
 */
export class GrammarConstraint implements LogitsConstraint {
  private state: number;
  private ended = false;

  constructor(private readonly grammar: CompiledGrammar) {
    this.state = grammar.dfa.start;
  }

  /** Whether the output so far is a complete match (an end token may come now). */
  get isComplete(): boolean {
    return this.grammar.dfa.isAccepting(this.state);
  }

  /** Whether an end token was accepted. */
  get hasEnded(): boolean {
    return this.ended;
  }

  mask(scores: Float32Array, step: ConstraintStep): void {
    const { dfa, masks } = this.grammar;
    const accepting = dfa.isAccepting(this.state);
    const ends = accepting ? step.endTokenIds.map((id) => scores[id] as number) : [];
    const allowed = masks.allowed(this.state);
    const limit = step.remainingTokens - 1; // bytes to acceptance allowed after this token
    if (allowed.maxDistance <= limit) this.grammar.applyAllowed(scores, this.state, allowed);
    else {
      const { ids, distances } = expandAllowed(allowed, this.grammar.vocabulary);
      const kept: number[] = [];
      const values: number[] = [];
      for (let i = 0; i < ids.length; i++) {
        if ((distances[i] as number) <= limit) {
          kept.push(ids[i] as number);
          values.push(scores[ids[i] as number] as number);
        }
      }
      if (kept.length === 0 && !accepting)
        this.grammar.applyAllowed(scores, this.state, allowed); // cannot finish: stay grammatical
      else {
        scores.fill(Number.NEGATIVE_INFINITY);
        for (let i = 0; i < kept.length; i++) scores[kept[i] as number] = values[i] as number;
      }
    }
    if (accepting)
      step.endTokenIds.forEach((id, i) => {
        scores[id] = ends[i] as number;
      });
  }

  accept(tokenId: number, step: ConstraintStep): void {
    const { dfa, vocabulary } = this.grammar;
    if (this.ended)
      throw new ConstraintViolationError({ tokenId, step: step.step, reason: 'the output already ended' });
    if (step.endTokenIds.includes(tokenId)) {
      if (!dfa.isAccepting(this.state)) {
        throw new ConstraintViolationError({
          tokenId,
          step: step.step,
          reason: 'an end token before the output is complete',
        });
      }
      this.ended = true;
      return;
    }
    const bytes = tokenId < vocabulary.size ? vocabulary.tokenBytes[tokenId] : null;
    if (bytes === null || bytes === undefined) {
      throw new ConstraintViolationError({ tokenId, step: step.step, reason: 'a special or unknown token' });
    }
    let state = this.state;
    for (const byte of bytes) {
      state = dfa.next(state, byte);
      if (state < 0) break;
    }
    if (state < 0 || dfa.distance(state) < 0) {
      throw new ConstraintViolationError({
        tokenId,
        step: step.step,
        reason: 'its text cannot continue the output',
      });
    }
    this.state = state;
  }
}
