import { describe, expect, test } from 'vitest';
import { HubNetworkError } from './errors/hub-network-error.js';
import { HubNotFoundError } from './errors/hub-not-found-error.js';
import { HubResponseError } from './errors/hub-response-error.js';
import { TooManyRedirectsError } from './errors/too-many-redirects-error.js';
import type { FetchLike } from './http-client.js';
import { resolveModel } from './resolve-model.js';

// resolveModel with an injected fetch and no server at all; the URLs never leave the process.
const base = {
  endpoint: 'http://127.0.0.1:9',
  env: { HF_HUB_CACHE: '/nonexistent-gemma3-cache' },
  retryDelayMs: 1,
};

describe('resolveModel with an injected fetch', () => {
  test('an API answer that is not the hub JSON shape: HubResponseError', async () => {
    const calls: string[] = [];
    const fetch: FetchLike = async (input) => {
      calls.push(String(input));
      return new Response(JSON.stringify({ sha: 'not-a-sha', siblings: [] }));
    };
    const error = await resolveModel('o/n', { ...base, fetch }).catch((e) => e);
    expect(error).toBeInstanceOf(HubResponseError);
    expect(error.message).toContain('sha');
    expect(calls).toEqual(['http://127.0.0.1:9/api/models/o/n/revision/main']);
  });

  test('a server that never answers: each attempt times out, then HubNetworkError', async () => {
    let attempts = 0;
    const fetch: FetchLike = (_input, init) => {
      attempts++;
      return new Promise((_resolve, reject) => {
        init?.signal?.addEventListener('abort', () => reject(init.signal?.reason));
      });
    };
    const error = await resolveModel('o/n', { ...base, fetch, timeoutMs: 20, retries: 2 }).catch((e) => e);
    expect(error).toBeInstanceOf(HubNetworkError);
    expect(error.attempts).toBe(3);
    expect(error.message).toContain('no response for 20 ms');
    expect(attempts).toBe(3);
  });

  test('a connection reset is retried', async () => {
    let attempts = 0;
    const fetch: FetchLike = async () => {
      attempts++;
      if (attempts < 3) throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNRESET' } });
      return new Response('{}', { status: 404, headers: { 'X-Error-Code': 'RepoNotFound' } });
    };
    await expect(resolveModel('o/n', { ...base, fetch })).rejects.toMatchObject({ code: 'hub/not-found' });
    expect(attempts).toBe(3);
  });

  test("the hub's 401 + RepoNotFound (unknown or private repo) is a not-found error hinting at HF_TOKEN", async () => {
    const fetch: FetchLike = async () =>
      new Response('Repository not found', { status: 401, headers: { 'X-Error-Code': 'RepoNotFound' } });
    const error = await resolveModel('o/n', { ...base, fetch }).catch((e) => e);
    expect(error).toBeInstanceOf(HubNotFoundError);
    expect(error.missing).toBe('model');
    expect(error.message).toContain('HF_TOKEN');
  });

  test('the caller aborting stops at once, without retries', async () => {
    const controller = new AbortController();
    let attempts = 0;
    const fetch: FetchLike = async () => {
      attempts++;
      controller.abort(new Error('user stopped'));
      throw new TypeError('aborted');
    };
    await expect(resolveModel('o/n', { ...base, fetch, signal: controller.signal })).rejects.toThrow(
      'user stopped',
    );
    expect(attempts).toBe(1);
  });

  test('more than 5 redirects: TooManyRedirectsError', async () => {
    let hops = 0;
    const fetch: FetchLike = async () => {
      hops++;
      return new Response(null, { status: 302, headers: { Location: `/hop/${hops}` } });
    };
    await expect(resolveModel('o/n', { ...base, fetch })).rejects.toBeInstanceOf(TooManyRedirectsError);
    expect(hops).toBe(6);
  });
});
