import { Gemma3Error } from '@gemma3/errors';

/** A GGUF file (read back) that does not follow the format. */
export class GgufFormatError extends Gemma3Error {
  readonly file: string;
  readonly offset: number;

  constructor(file: string, offset: number, problem: string) {
    super({ code: 'gguf/invalid-file', message: `${file} at byte ${offset}: ${problem}` });
    this.file = file;
    this.offset = offset;
  }
}
