import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestServer, type TestServer, TINY_PNG_DATA_URI } from '../test-utils/start-server.js';

// Random and mutated requests against the JSON API: never a 500, never a hang, the process alive.
// Each property runs up to RUNS requests and stops early after TIME_LIMIT_MS (bounded in time).
const RUNS = 1_000;
const TIME_LIMIT_MS = 12_000;
const ALLOWED = new Set([200, 400, 401, 404, 405, 408, 413, 429, 503]);

let t: TestServer;
let sent = 0;
const statuses = new Map<number, number>();
beforeAll(async () => {
  t = await startTestServer(
    { answerWords: 3, contextLength: 512 },
    { maxBodyBytes: 64 * 1024, maxQueue: 64 },
  );
});
afterAll(() => t.close());

async function send(
  method: string,
  path: string,
  body: string | undefined,
  headers: Record<string, string> = {},
) {
  sent++;
  const res = await fetch(`${t.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    ...(body === undefined || method === 'GET' || method === 'HEAD' ? {} : { body }),
  });
  const text = await res.text();
  statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
  expect(res.status, `${method} ${path} ${body?.slice(0, 300)} -> ${text.slice(0, 300)}`).not.toBe(500);
  expect(ALLOWED.has(res.status), `${res.status}: ${text.slice(0, 200)}`).toBe(true);
  if (res.status >= 400 && method !== 'HEAD') {
    const error = JSON.parse(text).error;
    expect(typeof error.message).toBe('string');
    expect(typeof error.type).toBe('string');
  }
  if (res.status === 200 && (res.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
    expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
  }
  return res.status;
}

const validChat = {
  model: 'fake-gemma',
  messages: [
    { role: 'system', content: 'Be brief.' },
    {
      role: 'user',
      content: [
        { type: 'text', text: 'What is this?' },
        { type: 'image_url', image_url: { url: TINY_PNG_DATA_URI } },
      ],
    },
  ],
  max_tokens: 3,
  temperature: 0.7,
  top_p: 0.9,
  seed: 1,
  stop: ['\n'],
  stream: true,
  stream_options: { include_usage: true },
};

type Json = unknown;

/** Applies one mutation at a random path of a JSON value. */
function mutate(value: Json, path: number[], replacement: Json, kind: number): Json {
  if (path.length === 0 || typeof value !== 'object' || value === null) {
    return kind === 0 ? replacement : kind === 1 ? undefined : [replacement, value][path.length % 2];
  }
  const keys = Object.keys(value);
  if (keys.length === 0) return replacement;
  const key = keys[path[0]! % keys.length]!;
  const copy: Record<string, Json> | Json[] = Array.isArray(value) ? [...value] : { ...(value as object) };
  const next = mutate((value as Record<string, Json>)[key], path.slice(1), replacement, kind);
  if (next === undefined) {
    if (Array.isArray(copy)) copy.splice(Number(key), 1);
    else delete copy[key];
  } else (copy as Record<string, Json>)[key] = next;
  return copy;
}

const nasty = fc.oneof(
  fc.jsonValue(),
  fc.constantFrom(
    -1,
    0,
    1e308,
    -0,
    2 ** 53,
    Number.MAX_SAFE_INTEGER,
    '',
    'data:image/png;base64,',
    'data:image/png;base64,AAAA',
    'http://127.0.0.1/x.png',
    '__proto__',
    { __proto__: { polluted: true } },
    { constructor: { prototype: {} } },
    [],
    {},
    null,
    true,
    '\u0000',
    '\ud800',
    'x'.repeat(10_000),
  ),
);

describe('fuzz (fast-check): no 500, the server alive', { timeout: 60_000 }, () => {
  test('mutated valid chat requests', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.nat(), { maxLength: 6 }),
        nasty,
        fc.nat(2),
        fc.boolean(),
        async (path, replacement, kind, extraKey) => {
          let body = mutate(validChat, path, replacement, kind);
          if (extraKey && typeof body === 'object' && body !== null)
            body = { ...body, [String(path[0] ?? 'x')]: replacement };
          await send('POST', '/v1/chat/completions', JSON.stringify(body) ?? 'null');
        },
      ),
      {
        numRuns: RUNS,
        interruptAfterTimeLimit: TIME_LIMIT_MS,
        markInterruptAsFailure: false,
        seed: 20261128,
      },
    );
  });

  test('random JSON and random text to every route and method', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'),
        fc.constantFrom(
          '/v1/chat/completions',
          '/v1/completions',
          '/v1/models',
          '/v1/models/x',
          '/health',
          '/metrics',
          '/',
          '/v1/',
          '/%zz',
          '/v1/models/%E0%A4%A',
        ),
        fc.oneof(
          fc.jsonValue().map((v) => JSON.stringify(v) ?? 'null'),
          fc.string(),
          fc.string({ unit: 'binary' }),
        ),
        async (method, path, body) => {
          await send(method, path, body);
        },
      ),
      { numRuns: RUNS, interruptAfterTimeLimit: TIME_LIMIT_MS, markInterruptAsFailure: false, seed: 7 },
    );
  });

  test('mutated completions requests, with and without auth headers', async () => {
    const valid = { model: 'fake-gemma', prompt: 'Once', max_tokens: 2, stream: false, stop: 'x', seed: 3 };
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.nat(), { maxLength: 3 }),
        nasty,
        fc.nat(2),
        fc.string(),
        async (path, replacement, kind, auth) => {
          const body = mutate(valid, path, replacement, kind);
          await send(
            'POST',
            '/v1/completions',
            JSON.stringify(body) ?? 'null',
            auth === '' ? {} : { authorization: auth.replace(/[^\x20-\x7e]/g, '') },
          );
        },
      ),
      { numRuns: RUNS, interruptAfterTimeLimit: TIME_LIMIT_MS, markInterruptAsFailure: false, seed: 11 },
    );
  });

  test('afterwards: still healthy, nothing running, no internal error logged', async () => {
    expect(sent).toBeGreaterThan(1_500);
    expect((await fetch(`${t.url}/health`)).status).toBe(200);
    expect(t.server.queue.running).toBe(0);
    expect(t.logs.filter((l) => l.includes('internal error'))).toEqual([]);
    // The mutations keep many requests valid, so generation paths are fuzzed too, not only validation.
    expect(statuses.get(200) ?? 0).toBeGreaterThan(100);
    expect(statuses.get(400) ?? 0).toBeGreaterThan(100);
    console.log(
      `fuzz: ${sent} requests, by status ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`,
    );
  });
});
