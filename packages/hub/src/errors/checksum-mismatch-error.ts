import { Gemma3Error } from '@gemma3/errors';

/** Downloaded bytes whose hash differs from the hub's ETag; the partial file was deleted. */
export class ChecksumMismatchError extends Gemma3Error {
  readonly modelId: string;
  readonly file: string;
  readonly algorithm: 'sha256' | 'git-sha1';
  readonly expected: string;
  readonly actual: string;

  constructor(options: {
    modelId: string;
    file: string;
    algorithm: 'sha256' | 'git-sha1';
    expected: string;
    actual: string;
  }) {
    const { modelId, file, algorithm, expected, actual } = options;
    super({
      code: 'hub/checksum-mismatch',
      message: `${file} of ${modelId} is corrupt: ${algorithm} ${actual} but the hub says ${expected}; the partial download was deleted, run again to retry`,
    });
    this.modelId = modelId;
    this.file = file;
    this.algorithm = algorithm;
    this.expected = expected;
    this.actual = actual;
  }
}
