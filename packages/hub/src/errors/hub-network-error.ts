import { Gemma3Error } from '@gemma3/errors';

/** Connection failures, resets or timeouts that persisted through every retry. */
export class HubNetworkError extends Gemma3Error {
  readonly url: string;
  readonly attempts: number;

  constructor(options: { url: string; attempts: number; cause: unknown }) {
    const { url, attempts, cause } = options;
    const reason = cause instanceof Error ? cause.message : String(cause);
    super({
      code: 'hub/network-error',
      message: `could not download ${url} after ${attempts} attempt(s): ${reason}. Check the connection, HF_ENDPOINT, or set HF_HUB_OFFLINE=1 to use the cache only`,
      cause,
    });
    this.url = url;
    this.attempts = attempts;
  }
}
