import { Gemma3Error } from '@gemma3/errors';

/**
 * The model returned NaN or ±Infinity in its logits. `step` 0 is the prefill (the prompt), step n the
 * n-th decode step; `row` is the batch row, `tokenId` the first offending column.
 */
export class NonFiniteLogitsError extends Gemma3Error {
  readonly step: number;
  readonly row: number;
  readonly tokenId: number;
  readonly value: number;

  constructor({ step, row, tokenId, value }: { step: number; row: number; tokenId: number; value: number }) {
    const where = step === 0 ? 'prefill (step 0)' : `decode step ${step}`;
    super({
      code: 'generation/non-finite-logits',
      message: `The model produced ${value} in the logits at ${where}, batch row ${row}, token id ${tokenId}`,
    });
    this.step = step;
    this.row = row;
    this.tokenId = tokenId;
    this.value = value;
  }
}
