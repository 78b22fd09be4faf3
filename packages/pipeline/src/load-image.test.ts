import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ImageFetchError } from './errors/image-fetch-error.js';
import { InvalidPipelineInputError } from './errors/invalid-pipeline-input-error.js';
import { fetchRemoteImage } from './load-image.js';
import { type LoopbackServer, startLoopbackServer } from './test-utils/http-server.js';
import { gradientPng } from './test-utils/png.js';

const png = gradientPng(16, 16);
let server: LoopbackServer;

beforeAll(async () => {
  server = await startLoopbackServer((request, response) => {
    switch (request.url) {
      case '/image.png':
        response.writeHead(200, { 'Content-Type': 'image/png', 'Content-Length': String(png.length) });
        response.end(png);
        return;
      case '/redirect':
        response.writeHead(302, { Location: '/image.png' });
        response.end();
        return;
      case '/huge-declared':
        response.writeHead(200, { 'Content-Length': String(10_000_000) });
        response.write(Buffer.alloc(1000));
        return; // never ends: must be refused from the header
      case '/huge-chunked':
        response.writeHead(200, { 'Transfer-Encoding': 'chunked' });
        for (let i = 0; i < 20; i++) response.write(Buffer.alloc(1000));
        response.end();
        return;
      case '/stall':
        response.writeHead(200, { 'Content-Type': 'image/png' });
        response.write(png.subarray(0, 10)); // then silence
        return;
      default:
        response.writeHead(404);
        response.end('not found');
    }
  });
});
afterAll(async () => {
  await server.close();
});

async function fetchError(url: string, options = {}): Promise<ImageFetchError> {
  const error = await fetchRemoteImage(url, 'images[0]', options).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ImageFetchError);
  return error as ImageFetchError;
}

describe('images by URL: fetched with size and time limits', () => {
  test('a URL (and a redirect to it) gives its bytes', async () => {
    expect(Buffer.from((await fetchRemoteImage(`${server.url}/image.png`, 'x')) as Uint8Array)).toEqual(png);
    expect(Buffer.from((await fetchRemoteImage(`${server.url}/redirect`, 'x')) as Uint8Array)).toEqual(png);
  });

  test('Content-Length over the limit is refused before the body is read', async () => {
    const error = await fetchError(`${server.url}/huge-declared`, { maxBytes: 5000 });
    expect(error.problem).toBe('too-large');
    expect(error.message).toMatch(/Content-Length 10000000 is over the limit of 5000 bytes/);
  });

  test('a body without Content-Length is cut off at the limit', async () => {
    const error = await fetchError(`${server.url}/huge-chunked`, { maxBytes: 5000 });
    expect(error.problem).toBe('too-large');
  });

  test('a server that stalls: timeout', async () => {
    const started = performance.now();
    const error = await fetchError(`${server.url}/stall`, { timeoutMs: 300 });
    expect(error.problem).toBe('timeout');
    expect(error.message).toMatch(/not fetched within 300 ms/);
    expect(performance.now() - started).toBeLessThan(5000);
  });

  test('HTTP errors, refused connections and switched-off fetching', async () => {
    expect((await fetchError(`${server.url}/missing.png`)).message).toMatch(/HTTP 404/);
    expect((await fetchError('http://127.0.0.1:1/x.png')).problem).toBe('network');
    const disabled = await fetchError(`${server.url}/image.png`, { allowRemote: false });
    expect(disabled.problem).toBe('disabled');
  });

  test('paths, data URIs, bytes and raw pixels pass through; file:// URLs become paths', async () => {
    expect(await fetchRemoteImage('photo.jpg', 'x')).toBe('photo.jpg');
    expect(await fetchRemoteImage('data:image/png;base64,AAAA', 'x')).toBe('data:image/png;base64,AAAA');
    expect(await fetchRemoteImage('file:///tmp/a%20b.png', 'x')).toBe('/tmp/a b.png');
    const raw = { data: new Uint8Array(3), width: 1, height: 1, channels: 3 as const };
    expect(await fetchRemoteImage(raw, 'x')).toBe(raw);
    await expect(fetchRemoteImage(42 as never, 'messages[0].content[1].image')).rejects.toThrow(
      InvalidPipelineInputError,
    );
    await expect(fetchRemoteImage('', 'images[2]')).rejects.toThrow(/images\[2\]: empty image path/);
  });
});
