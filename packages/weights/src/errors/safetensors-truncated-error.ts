import { WeightsError } from './weights-error.js';

/** The file is shorter than its header says (or than the 8-byte length prefix). */
export class SafetensorsTruncatedError extends WeightsError {
  constructor(
    file: string,
    readonly expectedBytes: number,
    readonly actualBytes: number,
    tensor?: string,
  ) {
    super({
      code: 'safetensors/truncated',
      file,
      tensor,
      message: `file is truncated: needs ${expectedBytes} bytes, has ${actualBytes}`,
    });
  }
}
