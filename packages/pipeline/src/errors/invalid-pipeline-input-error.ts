import { Gemma3Error } from '@gemma3/errors';

/** A malformed call: bad messages, content items, options. `field` is the path, e.g. `messages[1].content[0]`. */
export class InvalidPipelineInputError extends Gemma3Error {
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super({ code: 'pipeline/invalid-input', message: `${field}: ${reason}` });
  }
}
