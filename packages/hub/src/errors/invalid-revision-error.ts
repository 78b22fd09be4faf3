import { Gemma3Error } from '@gemma3/errors';

/** A revision (branch, tag or commit) that cannot safely name a ref file in the cache. */
export class InvalidRevisionError extends Gemma3Error {
  readonly revision: string;
  readonly reason: string;

  constructor(revision: string, reason: string) {
    super({
      code: 'hub/invalid-revision',
      message: `invalid revision ${JSON.stringify(revision)}: ${reason}`,
    });
    this.revision = revision;
    this.reason = reason;
  }
}
