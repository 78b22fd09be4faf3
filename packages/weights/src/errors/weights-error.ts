import { Gemma3Error } from '@gemma3/errors';

export interface WeightsErrorOptions {
  code: string;
  message: string;
  /** The file (safetensors, index or folder) that was wrong. */
  file: string;
  /** The tensor concerned, when there is one. */
  tensor?: string | undefined;
  cause?: unknown;
}

/** Base of every error of `@gemma3/weights`: each names the file and, where it applies, the tensor. */
export class WeightsError extends Gemma3Error {
  readonly file: string;
  readonly tensor: string | undefined;

  constructor({ code, message, file, tensor, cause }: WeightsErrorOptions) {
    const where = tensor === undefined ? file : `${file}, tensor "${tensor}"`;
    super({ code, message: `${where}: ${message}`, cause });
    this.file = file;
    this.tensor = tensor;
  }
}
