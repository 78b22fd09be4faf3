import { fileURLToPath } from 'node:url';
import type { ImageInput, RawImageInput } from '@gemma3/image-processor';
import { ImageFetchError } from './errors/image-fetch-error.js';
import { InvalidPipelineInputError } from './errors/invalid-pipeline-input-error.js';

/** How images given by URL are fetched. */
export interface ImageFetchOptions {
  /** Fetch http(s) URLs. Default true; false makes a URL an ImageFetchError (`disabled`). */
  allowRemote?: boolean;
  /** Largest body accepted, in bytes, checked while it streams. Default 20 MiB. */
  maxBytes?: number;
  /** Whole request (headers and body) must finish within this. Default 15,000 ms. */
  timeoutMs?: number;
  /** Injectable fetch (tests, proxies). Default globalThis.fetch. */
  fetch?: typeof fetch;
}

export const DEFAULT_IMAGE_FETCH = { allowRemote: true, maxBytes: 20 * 1024 * 1024, timeoutMs: 15_000 };

/** An image as a pipeline call takes it: path, http(s) URL, data URI, encoded bytes or raw pixels. */
export type PipelineImage = ImageInput;

/**
 * Turns http(s) URLs into their bytes (bounded in size and time); everything else (paths, data URIs,
 * Buffers, raw pixels) is passed on to the image processor, which reads and checks it. `field` names
 * the argument in errors.
 */
export async function fetchRemoteImage(
  input: PipelineImage,
  field: string,
  options: ImageFetchOptions = {},
  signal?: AbortSignal,
): Promise<ImageInput> {
  if (typeof input === 'string') {
    if (input.length === 0) throw new InvalidPipelineInputError(field, 'empty image path');
    if (/^https?:\/\//i.test(input)) return fetchUrl(input, options, signal);
    if (input.startsWith('file://')) {
      try {
        return fileURLToPath(input);
      } catch (cause) {
        throw new InvalidPipelineInputError(field, `not a usable file URL (${(cause as Error).message})`);
      }
    }
    return input;
  }
  if (input instanceof Uint8Array || isRaw(input)) return input;
  throw new InvalidPipelineInputError(
    field,
    'expected a path, an http(s) URL, a data: URI, a Buffer/Uint8Array or raw pixels { data, width, height, channels }',
  );
}

function isRaw(value: unknown): value is RawImageInput {
  return (
    typeof value === 'object' && value !== null && 'data' in value && 'width' in value && 'height' in value
  );
}

async function fetchUrl(url: string, options: ImageFetchOptions, outer?: AbortSignal): Promise<Uint8Array> {
  const allowRemote = options.allowRemote ?? DEFAULT_IMAGE_FETCH.allowRemote;
  const maxBytes = options.maxBytes ?? DEFAULT_IMAGE_FETCH.maxBytes;
  const timeoutMs = options.timeoutMs ?? DEFAULT_IMAGE_FETCH.timeoutMs;
  if (!allowRemote) {
    throw new ImageFetchError(url, 'disabled', 'fetching images by URL is switched off (images.allowRemote)');
  }
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = outer ? AbortSignal.any([outer, timeout]) : timeout;
  const timedOut = () => new ImageFetchError(url, 'timeout', `not fetched within ${timeoutMs} ms`);
  let response: Response;
  try {
    response = await (options.fetch ?? globalThis.fetch)(url, { signal, redirect: 'follow' });
  } catch (cause) {
    if (timeout.aborted) throw timedOut();
    throw new ImageFetchError(url, 'network', `fetch failed (${(cause as Error).message})`, cause);
  }
  if (!response.ok) {
    await response.body?.cancel().catch(() => {});
    throw new ImageFetchError(url, 'status', `HTTP ${response.status}`);
  }
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  const tooLarge = (size: string) =>
    new ImageFetchError(url, 'too-large', `${size} is over the limit of ${maxBytes} bytes (images.maxBytes)`);
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => {});
    throw tooLarge(`Content-Length ${declared}`);
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    if (response.body) {
      for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
        total += chunk.length;
        if (total > maxBytes) throw tooLarge(`the body (more than ${total} bytes so far)`);
        chunks.push(chunk);
      }
    }
  } catch (cause) {
    if (cause instanceof ImageFetchError) throw cause;
    if (timeout.aborted) throw timedOut();
    throw new ImageFetchError(url, 'network', `download failed (${(cause as Error).message})`, cause);
  }
  return new Uint8Array(Buffer.concat(chunks));
}
