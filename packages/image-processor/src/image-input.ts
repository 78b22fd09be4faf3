import { readFile, stat } from 'node:fs/promises';
import { ImageTooLargeError } from './errors/image-too-large-error.js';
import { InvalidImageInputError } from './errors/invalid-image-input-error.js';

/** Decoded pixels handed over directly: 8-bit, channels interleaved, [height, width, channels]. */
export interface RawImageInput {
  readonly data: Uint8Array | Uint8ClampedArray;
  readonly width: number;
  readonly height: number;
  /** 1 (grey), 2 (grey + alpha), 3 (RGB) or 4 (RGBA); alpha is dropped, as PIL's convert("RGB") does. */
  readonly channels: 1 | 2 | 3 | 4;
}

/**
 * One image: a file path, an `http(s)://` URL, a `data:image/...;base64,` URI, encoded bytes
 * (Buffer/Uint8Array: JPEG, PNG, WebP, GIF), or raw pixels.
 */
export type ImageInput = string | Uint8Array | RawImageInput;

export interface ImageLimits {
  /** Largest width x height accepted, read from the header before decoding. Default 64 MP. */
  readonly maxPixels: number;
  /** Largest encoded input in bytes. Default 64 MiB. */
  readonly maxBytes: number;
}

export const DEFAULT_IMAGE_LIMITS: ImageLimits = { maxPixels: 64_000_000, maxBytes: 64 * 1024 * 1024 };

/** Encoded bytes with a name for error messages, or raw pixels. */
export type LoadedImage =
  | { readonly kind: 'encoded'; readonly bytes: Uint8Array; readonly source: string }
  | { readonly kind: 'raw'; readonly image: RawImageInput; readonly source: string };

export interface LoadOptions {
  readonly limits: ImageLimits;
  /** Used for http(s) URLs; injectable for tests. Defaults to the global fetch. */
  readonly fetch?: typeof fetch;
}

export function isRawImageInput(input: unknown): input is RawImageInput {
  return (
    typeof input === 'object' &&
    input !== null &&
    !(input instanceof Uint8Array) &&
    'data' in input &&
    'width' in input &&
    'height' in input
  );
}

function checkBytes(source: string, size: number, limits: ImageLimits): void {
  if (size > limits.maxBytes) throw new ImageTooLargeError(source, 'bytes', size, limits.maxBytes);
}

function validateRaw(image: RawImageInput, source: string): void {
  const { width, height, channels, data } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new InvalidImageInputError(
      source,
      `raw image width and height must be positive integers, got ${width}x${height}`,
    );
  }
  if (![1, 2, 3, 4].includes(channels)) {
    throw new InvalidImageInputError(
      source,
      `raw image channels must be 1, 2, 3 or 4, got ${String(channels)}`,
    );
  }
  if (!(data instanceof Uint8Array || data instanceof Uint8ClampedArray)) {
    throw new InvalidImageInputError(source, 'raw image data must be a Uint8Array or Uint8ClampedArray');
  }
  const expected = width * height * channels;
  if (data.length !== expected) {
    throw new InvalidImageInputError(
      source,
      `raw image data has ${data.length} bytes, expected width*height*channels = ${width}*${height}*${channels} = ${expected}`,
    );
  }
}

function decodeDataUri(uri: string, source: string, limits: ImageLimits): Uint8Array {
  const comma = uri.indexOf(',');
  const header = comma < 0 ? '' : uri.slice(5, comma);
  if (comma < 0 || !header.endsWith(';base64')) {
    throw new InvalidImageInputError(source, 'data URI must look like data:image/<type>;base64,<data>');
  }
  const payload = uri.slice(comma + 1);
  // Base64 expands 3 bytes into 4 characters: refuse before decoding.
  checkBytes(source, Math.floor((payload.length * 3) / 4), limits);
  if (!/^[A-Za-z0-9+/\s]*={0,2}\s*$/.test(payload)) {
    throw new InvalidImageInputError(source, 'data URI payload is not valid base64');
  }
  return new Uint8Array(Buffer.from(payload, 'base64'));
}

async function fetchUrl(url: string, options: LoadOptions): Promise<Uint8Array> {
  const doFetch = options.fetch ?? globalThis.fetch;
  let response: Response;
  try {
    response = await doFetch(url);
  } catch (cause) {
    throw new InvalidImageInputError(url, 'fetch failed', cause);
  }
  if (!response.ok) throw new InvalidImageInputError(url, `HTTP ${response.status}`);
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(declared)) checkBytes(url, declared, options.limits);
  // Read the body in chunks and stop as soon as it passes the limit (no content-length is trusted).
  if (response.body === null) return new Uint8Array(0);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > options.limits.maxBytes) {
      await reader.cancel();
      throw new ImageTooLargeError(url, 'bytes', total, options.limits.maxBytes);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return bytes;
}

/** Reads an image argument into encoded bytes (checked against the byte limit) or validated raw pixels. */
export async function loadImage(
  input: ImageInput,
  index: number,
  options: LoadOptions,
): Promise<LoadedImage> {
  const { limits } = options;
  if (typeof input === 'string') {
    if (input.startsWith('data:')) {
      const source = `images[${index}] (data URI)`;
      return { kind: 'encoded', bytes: decodeDataUri(input, source, limits), source };
    }
    if (input.startsWith('http://') || input.startsWith('https://')) {
      return { kind: 'encoded', bytes: await fetchUrl(input, options), source: input };
    }
    let size: number;
    try {
      const info = await stat(input);
      if (!info.isFile()) throw new InvalidImageInputError(input, 'not a regular file');
      size = info.size;
    } catch (cause) {
      if (cause instanceof InvalidImageInputError) throw cause;
      throw new InvalidImageInputError(input, 'file cannot be read', cause);
    }
    checkBytes(input, size, limits);
    return { kind: 'encoded', bytes: new Uint8Array(await readFile(input)), source: input };
  }
  if (input instanceof Uint8Array) {
    const source = `images[${index}] (buffer)`;
    checkBytes(source, input.length, limits);
    return { kind: 'encoded', bytes: input, source };
  }
  if (isRawImageInput(input)) {
    const source = `images[${index}] (raw pixels)`;
    validateRaw(input, source);
    if (input.width * input.height > limits.maxPixels) {
      throw new ImageTooLargeError(
        source,
        'pixels',
        input.width * input.height,
        limits.maxPixels,
        input.width,
        input.height,
      );
    }
    return { kind: 'raw', image: input, source };
  }
  throw new InvalidImageInputError(
    `images[${index}]`,
    'expected a path, URL, data URI, Buffer/Uint8Array or { data, width, height, channels }',
  );
}
