import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { InvalidRequestError } from '../errors/invalid-request-error.js';
import { isPublicAddress } from './address-policy.js';

export interface RemoteImageOptions {
  /** Largest body accepted (checked on Content-Length and while streaming). */
  maxBytes: number;
  /** The whole fetch (every redirect, headers and body) must end within this. */
  timeoutMs: number;
  /** Redirects followed at most (each target is checked again). */
  maxRedirects: number;
  /** Which resolved addresses may be connected to. Default: public unicast only. Tests widen it. */
  allowAddress?: (address: string) => boolean;
}

export const DEFAULT_REMOTE_IMAGE: RemoteImageOptions = {
  maxBytes: 10 * 1024 * 1024,
  timeoutMs: 10_000,
  maxRedirects: 3,
};

/**
 * Fetches an image by http(s) URL for a request, refusing private, loopback and link-local targets.
 * The check runs on the addresses the name resolves to, inside the socket's own lookup, so the
 * connection goes to an address that was checked (no DNS rebinding between check and connect).
 * Every failure is an InvalidRequestError naming `param`.
 */
export async function fetchRemoteImage(
  url: string,
  param: string,
  options: RemoteImageOptions,
  signal?: AbortSignal,
): Promise<Uint8Array> {
  const allow = options.allowAddress ?? isPublicAddress;
  const deadline = AbortSignal.timeout(options.timeoutMs);
  const combined = signal ? AbortSignal.any([signal, deadline]) : deadline;
  const fail = (why: string, cause?: unknown) =>
    new InvalidRequestError(
      `'${param}': could not fetch the image (${why})`,
      param,
      'invalid_image_url',
      cause,
    );
  let current = url;
  for (let hop = 0; hop <= options.maxRedirects; hop++) {
    const target = new URL(current);
    if (target.protocol !== 'http:' && target.protocol !== 'https:')
      throw fail(`${target.protocol} is not http(s)`);
    const host = target.hostname.replace(/^\[|\]$/g, '');
    // IP literals skip the socket's lookup, so they are checked here.
    if (isIP(host) !== 0 && !allow(host)) throw fail(`${host} is not a public address`);
    let response: IncomingMessage;
    try {
      response = await get(target, guardedLookup(allow), combined);
    } catch (cause) {
      if (cause instanceof InvalidRequestError) throw cause;
      if (deadline.aborted) throw fail(`no answer within ${options.timeoutMs} ms`);
      if (signal?.aborted) throw fail('the request was cancelled');
      const blockedAddress = (cause as { blockedAddress?: string }).blockedAddress;
      if (blockedAddress)
        throw fail(`${target.hostname} resolves to ${blockedAddress}, not a public address`);
      throw fail(`network error: ${(cause as Error).message}`);
    }
    const status = response.statusCode ?? 0;
    if (status >= 300 && status < 400 && response.headers.location) {
      response.resume();
      current = new URL(response.headers.location, target).href;
      continue;
    }
    if (status !== 200) {
      response.resume();
      throw fail(`HTTP ${status}`);
    }
    const declared = Number(response.headers['content-length']);
    if (Number.isFinite(declared) && declared > options.maxBytes) {
      response.destroy();
      throw fail(`Content-Length ${declared} is over the limit of ${options.maxBytes} bytes`);
    }
    return readLimited(response, options.maxBytes, combined, fail, deadline, options.timeoutMs);
  }
  throw fail(`more than ${options.maxRedirects} redirects`);
}

function guardedLookup(allow: (address: string) => boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 0);
      const list = addresses as unknown as LookupAddress[];
      const bad = list.find((a) => !allow(a.address));
      if (bad || list.length === 0) {
        const refused = Object.assign(new Error(`${hostname} resolves to a non-public address`), {
          blockedAddress: bad?.address ?? '(none)',
        });
        return callback(refused, '', 0);
      }
      if ((options as { all?: boolean }).all) return callback(null, list as never);
      callback(null, list[0]!.address, list[0]!.family);
    });
  };
}

function get(target: URL, lookup: LookupFunction, signal: AbortSignal): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const request = (target.protocol === 'https:' ? httpsRequest : httpRequest)(
      target,
      { method: 'GET', lookup, signal, headers: { accept: 'image/*', 'user-agent': 'gemma3-server' } },
      resolve,
    );
    request.on('error', reject);
    request.end();
  });
}

function readLimited(
  response: IncomingMessage,
  maxBytes: number,
  signal: AbortSignal,
  fail: (why: string) => InvalidRequestError,
  deadline: AbortSignal,
  timeoutMs: number,
): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const onAbort = () => {
      response.destroy();
      reject(
        fail(deadline.aborted ? `no complete body within ${timeoutMs} ms` : 'the request was cancelled'),
      );
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    response.on('data', (chunk: Buffer) => {
      total += chunk.length;
      if (total > maxBytes) {
        signal.removeEventListener('abort', onAbort);
        response.destroy();
        reject(fail(`the body is over the limit of ${maxBytes} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    response.on('end', () => {
      signal.removeEventListener('abort', onAbort);
      resolve(new Uint8Array(Buffer.concat(chunks)));
    });
    response.on('error', (error) => {
      signal.removeEventListener('abort', onAbort);
      reject(fail(`download failed: ${error.message}`));
    });
  });
}
