import { Gemma3Error } from '@gemma3/errors';

/** A hub response without what the protocol requires (JSON shape, ETag, commit header). */
export class HubResponseError extends Gemma3Error {
  readonly url: string;

  constructor(url: string, problem: string) {
    super({ code: 'hub/bad-response', message: `unexpected response from ${url}: ${problem}` });
    this.url = url;
  }
}
