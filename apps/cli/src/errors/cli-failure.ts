import { Gemma3Error } from '@gemma3/errors';

/** A command failed for a reason the user can act on, reworded for the command line (exit code 1). */
export class CliFailure extends Gemma3Error {
  constructor(message: string, cause?: unknown) {
    super({ code: 'cli/failure', message, cause });
  }
}
