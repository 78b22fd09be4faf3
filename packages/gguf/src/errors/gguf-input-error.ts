import { Gemma3Error } from '@gemma3/errors';

/** A checkpoint or option the GGUF writer cannot turn into a GGUF file. */
export class GgufInputError extends Gemma3Error {
  /** What was wrong: a config field, tensor name, file or option. */
  readonly subject: string;

  constructor(subject: string, problem: string, cause?: unknown) {
    super({ code: 'gguf/invalid-input', message: `${subject}: ${problem}`, cause });
    this.subject = subject;
  }
}
