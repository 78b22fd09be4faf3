import { Gemma3Error } from '@gemma3/errors';

/**
 * A token chosen for a constrained row is not allowed by its constraint: another processor forced
 * it (e.g. min_new_tokens removing the end token when only the end token may come), or the model's
 * scores left no allowed token finite.
 */
export class ConstraintViolationError extends Gemma3Error {
  readonly tokenId: number;
  readonly step: number;

  constructor({ tokenId, step, reason }: { tokenId: number; step: number; reason: string }) {
    super({
      code: 'generation/constraint-violation',
      message: `Token ${tokenId} at step ${step} breaks the output constraint: ${reason}`,
    });
    this.tokenId = tokenId;
    this.step = step;
  }
}
