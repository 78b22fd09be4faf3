import { Gemma3Error } from '@gemma3/errors';

/** An HTTP status the client does not expect (after retries, for 5xx), with the URL it came from. */
export class HubHttpError extends Gemma3Error {
  readonly url: string;
  readonly status: number;
  readonly attempts: number;

  constructor(options: { url: string; status: number; attempts: number; detail?: string }) {
    const { url, status, attempts, detail } = options;
    const tries = attempts > 1 ? ` after ${attempts} attempts` : '';
    super({
      code: 'hub/http-error',
      message: `HTTP ${status} from ${url}${tries}${detail ? `: ${detail}` : ''}`,
    });
    this.url = url;
    this.status = status;
    this.attempts = attempts;
  }
}
