import { Gemma3Error } from '@gemma3/errors';

/** A redirect chain longer than the client follows (5). */
export class TooManyRedirectsError extends Gemma3Error {
  readonly url: string;
  readonly maxRedirects: number;

  constructor(url: string, maxRedirects: number) {
    super({
      code: 'hub/too-many-redirects',
      message: `more than ${maxRedirects} redirects starting at ${url}`,
    });
    this.url = url;
    this.maxRedirects = maxRedirects;
  }
}
