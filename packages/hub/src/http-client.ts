import { HubHttpError } from './errors/hub-http-error.js';
import { HubNetworkError } from './errors/hub-network-error.js';
import { TooManyRedirectsError } from './errors/too-many-redirects-error.js';

export type FetchLike = typeof globalThis.fetch;

export const MAX_REDIRECTS = 5;
const MAX_RETRY_DELAY_MS = 10_000;

export interface HttpSettings {
  fetch: FetchLike;
  token: string | undefined;
  /** User cancellation; never retried. */
  signal: AbortSignal | undefined;
  /** Longest wait for response headers, and longest silence between two body chunks. */
  timeoutMs: number;
  /** Retries after the first attempt, for 5xx/429, connection failures, resets and timeouts. */
  retries: number;
  /** First backoff delay; doubles each retry (capped at 10 s). */
  retryDelayMs: number;
}

/**
 * An abort signal that fires after `timeoutMs` of inactivity (`touch()` restarts the clock) or when
 * the caller's signal fires: AbortSignal.timeout, but restartable for long downloads.
 */
export class IdleDeadline {
  readonly signal: AbortSignal;
  timedOut = false;
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly timeoutMs: number,
    parent: AbortSignal | undefined,
  ) {
    this.signal =
      parent === undefined ? this.controller.signal : AbortSignal.any([parent, this.controller.signal]);
    this.touch();
  }

  touch(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.controller.abort(new Error(`no response for ${this.timeoutMs} ms`));
    }, this.timeoutMs);
  }

  clear(): void {
    clearTimeout(this.timer);
  }
}

/** A failure worth another attempt (connection reset, timeout, 5xx, 429). */
export class TransientError extends Error {
  constructor(
    readonly url: string,
    readonly status: number | undefined,
    cause: unknown,
    readonly retryAfterMs?: number,
  ) {
    super(status === undefined ? `request to ${url} failed` : `HTTP ${status} from ${url}`, { cause });
  }
}

export function isRetryableStatus(status: number): boolean {
  return status >= 500 || status === 429;
}

/** Re-throws the caller's abort reason as is; wraps anything else (a fetch/stream failure) as transient. */
export function asTransient(url: string, error: unknown, settings: HttpSettings): never {
  if (settings.signal?.aborted) throw settings.signal.reason;
  throw new TransientError(url, undefined, error);
}

export interface RequestResult {
  /** The last response of the chain (not a redirect unless `stopAt` stopped there). */
  response: Response;
  url: string;
}

/**
 * One request that follows up to 5 redirects by hand, so that the Authorization header is only
 * sent to the origin of the first URL (a CDN on another host never sees the token).
 * `stopAt(response)` can end the chain at a redirect whose headers are what the caller needs.
 * Network failures come back as TransientError.
 */
export async function request(
  url: string,
  init: { method: 'GET' | 'HEAD'; headers?: Record<string, string> },
  settings: HttpSettings,
  deadline: IdleDeadline,
  stopAt: (response: Response) => boolean = () => false,
): Promise<RequestResult> {
  const origin = new URL(url).origin;
  let current = url;
  for (let redirects = 0; ; redirects++) {
    const headers: Record<string, string> = { 'Accept-Encoding': 'identity', ...init.headers };
    if (settings.token !== undefined && new URL(current).origin === origin) {
      headers.Authorization = `Bearer ${settings.token}`;
    }
    let response: Response;
    try {
      response = await settings.fetch(current, {
        method: init.method,
        headers,
        redirect: 'manual',
        signal: deadline.signal,
      });
    } catch (error) {
      asTransient(current, error, settings);
    }
    const location = response.headers.get('location');
    if (response.status < 300 || response.status >= 400 || location === null || stopAt(response)) {
      return { response, url: current };
    }
    await response.body?.cancel().catch(() => {});
    if (redirects >= MAX_REDIRECTS) throw new TooManyRedirectsError(url, MAX_REDIRECTS);
    current = new URL(location, current).toString();
  }
}

function retryAfterMs(response: Response): number | undefined {
  const header = response.headers.get('retry-after');
  if (header === null) return undefined;
  const seconds = Number(header);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}

/** Throws TransientError for statuses worth a retry, after draining the body. */
export async function throwIfRetryable(result: RequestResult): Promise<void> {
  const { response, url } = result;
  if (!isRetryableStatus(response.status)) return;
  await response.body?.cancel().catch(() => {});
  throw new TransientError(url, response.status, undefined, retryAfterMs(response));
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Runs `attempt` until it succeeds or fails with something other than a TransientError, with
 * `settings.retries` retries and exponential backoff (honouring Retry-After up to the cap). Turns a
 * last TransientError into HubHttpError (a status) or HubNetworkError (a connection problem).
 */
export async function withRetries<T>(
  settings: HttpSettings,
  attempt: (attemptIndex: number) => Promise<T>,
): Promise<T> {
  for (let index = 0; ; index++) {
    try {
      return await attempt(index);
    } catch (error) {
      if (!(error instanceof TransientError)) throw error;
      const attempts = index + 1;
      if (index >= settings.retries) {
        if (error.status !== undefined)
          throw new HubHttpError({ url: error.url, status: error.status, attempts });
        throw new HubNetworkError({ url: error.url, attempts, cause: error.cause });
      }
      const backoff = settings.retryDelayMs * 2 ** index;
      await sleep(Math.min(error.retryAfterMs ?? backoff, MAX_RETRY_DELAY_MS), settings.signal);
    }
  }
}
