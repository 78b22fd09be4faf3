import { Gemma3Error } from '@gemma3/errors';

/** A malformed argument to the processor: batch sizes that disagree, bad options, missing tokens. */
export class InvalidProcessorInputError extends Gemma3Error {
  constructor(
    /** The argument or option at fault, e.g. `images`, `maxLength`, `messages[1].content[0]`. */
    readonly argument: string,
    readonly reason: string,
  ) {
    super({ code: 'processor/invalid-input', message: `${argument}: ${reason}` });
  }
}
