import { Gemma3Error } from '@gemma3/errors';

/** A body whose length disagrees with X-Linked-Size / Content-Length. */
export class SizeMismatchError extends Gemma3Error {
  readonly modelId: string;
  readonly file: string;
  readonly expected: number;
  readonly actual: number;

  constructor(options: { modelId: string; file: string; expected: number; actual: number; where: string }) {
    const { modelId, file, expected, actual, where } = options;
    super({
      code: 'hub/size-mismatch',
      message: `${file} of ${modelId}: ${where} says ${actual} bytes but the hub announced ${expected}`,
    });
    this.modelId = modelId;
    this.file = file;
    this.expected = expected;
    this.actual = actual;
  }
}
