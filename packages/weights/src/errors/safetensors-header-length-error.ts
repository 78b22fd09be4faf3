import { WeightsError } from './weights-error.js';

/** The u64 header length is larger than the limit, or points past the end of the file. */
export class SafetensorsHeaderLengthError extends WeightsError {
  constructor(
    file: string,
    readonly headerLength: bigint,
    readonly limit: number,
    readonly fileSize: number,
  ) {
    super({
      code: 'safetensors/header-length',
      file,
      message:
        headerLength > BigInt(limit)
          ? `header length ${headerLength} exceeds the limit of ${limit} bytes`
          : `header length ${headerLength} runs past the end of the file (${fileSize} bytes)`,
    });
  }
}
