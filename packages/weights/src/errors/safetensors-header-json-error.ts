import { WeightsError } from './weights-error.js';

/** The header is not UTF-8, not JSON, not a JSON object, or a tensor entry is not an object. */
export class SafetensorsHeaderJsonError extends WeightsError {
  constructor(
    file: string,
    readonly reason: string,
    /** At most a short excerpt of the header, never the whole text. */
    readonly excerpt: string,
    tensor?: string,
    cause?: unknown,
  ) {
    super({
      code: 'safetensors/header-json',
      file,
      tensor,
      cause,
      message: `invalid header: ${reason}${excerpt === '' ? '' : ` (near ${JSON.stringify(excerpt)})`}`,
    });
  }
}
