import { Gemma3Error } from '@gemma3/errors';

/** Another process held a blob's download lock for longer than the wait allowed. */
export class LockTimeoutError extends Gemma3Error {
  readonly lockPath: string;
  readonly waitedMs: number;

  constructor(lockPath: string, waitedMs: number) {
    super({
      code: 'hub/lock-timeout',
      message: `waited ${Math.round(waitedMs / 1000)} s for another download holding ${lockPath}; if no other process is downloading, delete that file`,
    });
    this.lockPath = lockPath;
    this.waitedMs = waitedMs;
  }
}
