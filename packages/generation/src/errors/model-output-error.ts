import { Gemma3Error } from '@gemma3/errors';

/** The model broke the {@link GenerationSession} contract, e.g. logits of the wrong length. */
export class ModelOutputError extends Gemma3Error {
  readonly step: number;
  readonly expected: number;
  readonly actual: number;

  constructor({ step, expected, actual }: { step: number; expected: number; actual: number }) {
    super({
      code: 'generation/model-output',
      message: `The model returned ${actual} logits at step ${step}, expected batch size x vocabSize = ${expected}`,
    });
    this.step = step;
    this.expected = expected;
    this.actual = actual;
  }
}
