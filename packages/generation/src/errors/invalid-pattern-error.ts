import { Gemma3Error } from '@gemma3/errors';

/** A regular expression given as an output constraint (or a schema `pattern`) cannot be parsed or uses an unsupported feature. */
export class InvalidPatternError extends Gemma3Error {
  readonly pattern: string;
  /** Offset in `pattern` where the problem is. */
  readonly index: number;
  readonly reason: string;

  constructor({ pattern, index, reason }: { pattern: string; index: number; reason: string }) {
    super({
      code: 'generation/invalid-pattern',
      message: `Regular expression ${JSON.stringify(pattern.slice(0, 200))} at offset ${index}: ${reason}`,
    });
    this.pattern = pattern;
    this.index = index;
    this.reason = reason;
  }
}
