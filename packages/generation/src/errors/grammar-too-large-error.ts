import { Gemma3Error } from '@gemma3/errors';

/**
 * An output constraint would need more than its bound: automaton states (memory and compile time) or
 * schema nesting depth. `what` names the bound (`nfa-states`, `dfa-states`, `schema-depth`).
 */
export class GrammarTooLargeError extends Gemma3Error {
  readonly what: string;
  readonly limit: number;

  constructor({ what, limit, detail }: { what: string; limit: number; detail: string }) {
    super({
      code: 'generation/grammar-too-large',
      message: `Output constraint too large: more than ${limit} ${what} (${detail})`,
    });
    this.what = what;
    this.limit = limit;
  }
}
