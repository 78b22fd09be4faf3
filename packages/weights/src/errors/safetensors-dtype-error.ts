import { WeightsError } from './weights-error.js';

/** A dtype that the format does not know, or one that the requested conversion does not accept. */
export class SafetensorsDtypeError extends WeightsError {
  constructor(
    file: string,
    tensor: string,
    readonly dtype: string,
    readonly reason: 'unknown' | 'not-floating-point',
  ) {
    super({
      code: 'safetensors/dtype',
      file,
      tensor,
      message:
        reason === 'unknown'
          ? `unknown dtype ${JSON.stringify(dtype).slice(0, 40)}`
          : `dtype ${dtype} cannot be read as float32 (use read() or readTyped())`,
    });
  }
}
