import { WeightsError } from './weights-error.js';

export type SafetensorsOffsetsProblem =
  | 'malformed'
  | 'not-starting-at-zero'
  | 'overlap'
  | 'hole'
  | 'trailing-bytes'
  | 'byte-span';

/**
 * `data_offsets` are not two integers, or do not tile the data section exactly: every tensor must
 * start where the previous one ended (the first at 0), the last must end at the data size, and each
 * span must equal product(shape) x dtype size.
 */
export class SafetensorsOffsetsError extends WeightsError {
  constructor(
    file: string,
    tensor: string | undefined,
    readonly problem: SafetensorsOffsetsProblem,
    detail: string,
  ) {
    super({
      code: `safetensors/offsets-${problem}`,
      file,
      tensor,
      message: `invalid data_offsets: ${detail}`,
    });
  }
}
