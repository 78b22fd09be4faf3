import { Gemma3Error } from '@gemma3/errors';

/** pipeline() was asked for a task it does not know. */
export class UnsupportedTaskError extends Gemma3Error {
  constructor(
    readonly task: string,
    readonly supported: readonly string[],
  ) {
    super({
      code: 'pipeline/unsupported-task',
      message: `unknown task "${task}" (supported: ${supported.join(', ')})`,
    });
  }
}
