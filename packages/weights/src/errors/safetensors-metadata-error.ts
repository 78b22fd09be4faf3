import { WeightsError } from './weights-error.js';

/** `__metadata__` is not a map of strings to strings. */
export class SafetensorsMetadataError extends WeightsError {
  constructor(
    file: string,
    readonly key: string | undefined,
  ) {
    super({
      code: 'safetensors/metadata',
      file,
      message:
        key === undefined
          ? '__metadata__ must be an object mapping strings to strings'
          : `__metadata__ value of "${key}" must be a string`,
    });
  }
}
