import { Gemma3Error } from '@gemma3/errors';

/** The command line itself is wrong (unknown command or option, missing or malformed value): exit code 2. */
export class UsageError extends Gemma3Error {
  /** The command whose usage to suggest, when known. */
  readonly command: string | undefined;

  constructor(message: string, command?: string) {
    super({ code: 'cli/usage', message });
    this.command = command;
  }
}
