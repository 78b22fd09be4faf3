import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Gemma3Error } from '@gemma3/errors';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { post, startTestServer, type TestServer, TINY_PNG_DATA_URI } from './test-utils/start-server.js';

let t: TestServer;
let chat: string;
beforeAll(async () => {
  t = await startTestServer({ answerWords: 3, contextLength: 64 }, { maxBodyBytes: 4096 });
  chat = `${t.url}/v1/chat/completions`;
});
afterAll(() => t.close());

const user = (content: unknown) => ({ model: 'fake-gemma', messages: [{ role: 'user', content }] });

/** Expects an OpenAI-shaped error with this status, code and param. */
async function expectError(
  body: unknown,
  status: number,
  code: string | null,
  param?: string | null,
  message?: RegExp,
) {
  const res = await post(chat, body);
  expect(res.status, res.text).toBe(status);
  expect(Object.keys(res.body.error).sort()).toEqual(['code', 'message', 'param', 'type']);
  expect(res.body.error.code).toBe(code);
  if (param !== undefined) expect(res.body.error.param).toBe(param);
  if (message) expect(res.body.error.message).toMatch(message);
  return res.body.error as { message: string; type: string; param: string | null; code: string | null };
}

describe('400 invalid requests (OpenAI error shape, the field named)', () => {
  test('bad JSON, empty body, a non-object body', async () => {
    const bad = await post(chat, '{"model": "fake-gemma", ');
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_json' });
    expect((await post(chat, '')).body.error.code).toBe('invalid_json');
    await expectError([1, 2], 400, null, null, /must be a JSON object, got an array/);
  });

  test('missing and wrongly typed fields', async () => {
    await expectError({ messages: [] }, 400, 'missing_required_parameter', 'model');
    await expectError({ model: 'fake-gemma' }, 400, 'missing_required_parameter', 'messages');
    await expectError({ model: 'fake-gemma', messages: 'hi' }, 400, 'invalid_type', 'messages');
    await expectError({ model: 'fake-gemma', messages: [] }, 400, 'invalid_value', 'messages');
    await expectError(user(42), 400, 'invalid_type', 'messages[0].content');
    await expectError(
      { model: 'fake-gemma', messages: [{ role: 'robot', content: 'x' }] },
      400,
      'invalid_value',
      'messages[0].role',
    );
    await expectError(
      { model: 'fake-gemma', messages: [{ role: 'tool', content: 'x' }] },
      400,
      'missing_required_parameter',
      'messages[0].tool_call_id',
    );
    await expectError(
      user([{ type: 'audio', audio: {} }]),
      400,
      'unsupported_parameter',
      'messages[0].content[0].type',
    );
    await expectError(
      user([{ type: 'text' }]),
      400,
      'missing_required_parameter',
      'messages[0].content[0].text',
    );
    await expectError({ ...user('x'), stream: 'yes' }, 400, 'invalid_type', 'stream');
    await expectError({ ...user('x'), max_tokens: 2.5 }, 400, 'invalid_type', 'max_tokens');
    await expectError({ ...user('x'), stop: [1] }, 400, 'invalid_value', 'stop[0]');
    await expectError({ ...user('x'), stop: ['a', 'b', 'c', 'd', 'e'] }, 400, 'invalid_value', 'stop');
  });

  test('out-of-range sampling values say the allowed range', async () => {
    await expectError({ ...user('x'), temperature: 2.5 }, 400, 'invalid_value', 'temperature', /\[0, 2\]/);
    await expectError({ ...user('x'), temperature: -1 }, 400, 'invalid_value', 'temperature');
    await expectError({ ...user('x'), top_p: 0 }, 400, 'invalid_value', 'top_p', /\(0, 1\]/);
    await expectError({ ...user('x'), top_p: 1.5 }, 400, 'invalid_value', 'top_p');
    await expectError({ ...user('x'), top_k: -1 }, 400, 'invalid_value', 'top_k');
    await expectError({ ...user('x'), max_tokens: 0 }, 400, 'invalid_value', 'max_tokens');
    await expectError({ ...user('x'), seed: -3 }, 400, 'invalid_value', 'seed');
    await expectError(
      { ...user('x'), max_tokens: 3, max_completion_tokens: 4 },
      400,
      'invalid_value',
      'max_tokens',
    );
  });

  test('n other than 1 is a clear 400', async () => {
    const e = await expectError({ ...user('x'), n: 2 }, 400, 'unsupported_parameter', 'n');
    expect(e.message).toMatch(/n must be 1/);
    expect((await post(chat, { ...user('x'), n: 1 })).status).toBe(200);
  });

  test('unsupported and unknown parameters are named, neutral values of penalties pass', async () => {
    await expectError(
      { ...user('x'), functions: [] },
      400,
      'unsupported_parameter',
      'functions',
      /Unsupported parameter 'functions'/,
    );
    await expectError({ ...user('x'), logit_bias: { 1: 2 } }, 400, 'unsupported_parameter', 'logit_bias');
    await expectError({ ...user('x'), logprobs: true }, 400, 'unsupported_parameter', 'logprobs');
    await expectError(
      { ...user('x'), presence_penalty: 0.5 },
      400,
      'unsupported_parameter',
      'presence_penalty',
    );
    await expectError(
      { ...user('x'), temprature: 1 },
      400,
      'unknown_parameter',
      'temprature',
      /Unrecognized parameter 'temprature'/,
    );
    await expectError(
      { ...user('x'), stream_options: { include_usage: true } },
      400,
      'invalid_value',
      'stream_options',
    );
    const ok = await post(chat, {
      ...user('x'),
      presence_penalty: 0,
      frequency_penalty: 0,
      logprobs: false,
      user: 'u1',
      temperature: null,
    });
    expect(ok.status).toBe(200);
  });

  test('too many tokens for the context says the limit and the count', async () => {
    // The fake counts 1 (bos) + 3 (turn) + one per word: 74.
    const long = Array.from({ length: 70 }, (_, i) => `w${i}`).join(' ');
    const e = await expectError(user(long), 400, 'context_length_exceeded', 'messages');
    expect(e.message).toMatch(/maximum context length is 64 tokens, but the prompt has 74 tokens/);
    const e2 = await expectError(
      { ...user('a b c'), max_tokens: 100 },
      400,
      'context_length_exceeded',
      'max_tokens',
    );
    expect(e2.message).toMatch(
      /64 tokens; the prompt has 7 tokens and max_tokens is 100 \(107 in all\); lower max_tokens to at most 57/,
    );
  });

  test('images: bad data URIs, remote URLs while disabled, images in a system message', async () => {
    const image = (url: string) =>
      user([
        { type: 'image_url', image_url: { url } },
        { type: 'text', text: 'x' },
      ]);
    await expectError(
      image('data:image/png;base64,@@@@'),
      400,
      'invalid_image',
      'messages[0].content[0].image_url.url',
    );
    await expectError(image('data:text/plain;base64,aGk='), 400, 'invalid_image');
    await expectError(image('ftp://example.com/a.png'), 400, 'invalid_image');
    await expectError(
      image('https://example.com/a.png'),
      400,
      'remote_images_disabled',
      'messages[0].content[0].image_url.url',
      /--allow-remote-images/,
    );
    await expectError(
      {
        model: 'fake-gemma',
        messages: [
          { role: 'system', content: [{ type: 'image_url', image_url: { url: TINY_PNG_DATA_URI } }] },
        ],
      },
      400,
      'invalid_value',
      'messages[0].content[0]',
    );
  });

  test('an input error from the model packages (a Gemma3Error with an input code) is a 400 with its message', async () => {
    const s = await startTestServer({
      fail: () =>
        new (class extends Gemma3Error {})({
          code: 'tokenizer/chat-template-exception',
          message: 'Conversation roles must alternate user/assistant/user/assistant/...',
        }),
    });
    try {
      const res = await post(`${s.url}/v1/chat/completions`, user('x'));
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'invalid_messages', message: /roles must alternate/ });
    } finally {
      await s.close();
    }
  });
});

describe('other statuses', () => {
  test('401 without or with a wrong API key; the right key passes; /health needs none', async () => {
    const s = await startTestServer({ answerWords: 1 }, { apiKey: 'sekret' });
    try {
      await expect(s.client({ apiKey: 'wrong' }).models.list()).rejects.toMatchObject({
        status: 401,
        code: 'invalid_api_key',
      });
      const none = await fetch(`${s.url}/v1/models`);
      expect(none.status).toBe(401);
      expect(none.headers.get('www-authenticate')).toBe('Bearer');
      const ok = await s
        .client({ apiKey: 'sekret' })
        .chat.completions.create({ model: 'fake-gemma', messages: [{ role: 'user', content: 'x' }] });
      expect(ok.choices[0]!.message.content).toBe('w0');
      expect((await fetch(`${s.url}/health`)).status).toBe(200);
    } finally {
      await s.close();
    }
  });

  test('404 unknown model (openai client sees NotFoundError) and unknown route; 405 wrong method', async () => {
    await expect(
      t.client().chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] }),
    ).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    const e = await expectError({ ...user('x'), model: 'gpt-4o' }, 404, 'model_not_found', 'model');
    expect(e.message).toMatch(/serves 'fake-gemma'/);
    const route = await fetch(`${t.url}/v1/embeddings`, { method: 'POST', body: '{}' });
    expect(route.status).toBe(404);
    expect(((await route.json()) as { error: { code: string } }).error.code).toBe('unknown_url');
    expect((await fetch(`${t.url}/nope`)).status).toBe(404);
    const method = await fetch(chat);
    expect(method.status).toBe(405);
    expect(method.headers.get('allow')).toBe('POST');
  });

  test('413 body too large, from Content-Length and from a chunked body', async () => {
    const big = JSON.stringify(user('x'.repeat(5000)));
    const res = await post(chat, big);
    expect(res.status).toBe(413);
    expect(res.body.error).toMatchObject({ code: 'request_too_large', type: 'invalid_request_error' });
    const chunked = await fetch(chat, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: new ReadableStream({
        start(c) {
          for (let i = 0; i < 10; i++) c.enqueue(new TextEncoder().encode('x'.repeat(1000)));
          c.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(413);
    expect((await fetch(`${t.url}/health`)).status).toBe(200);
  });

  test('503 while loading (health and API), 200 once ready', async () => {
    let resolve!: (b: import('./backend.js').ChatBackend) => void;
    const loading = new Promise<import('./backend.js').ChatBackend>((r) => (resolve = r));
    const s = await startTestServer({}, { backend: loading });
    try {
      const health = await fetch(`${s.url}/health`);
      expect(health.status).toBe(503);
      expect(await health.json()).toEqual({ status: 'loading' });
      const res = await post(`${s.url}/v1/chat/completions`, user('x'));
      expect(res.status).toBe(503);
      expect(res.body.error.code).toBe('model_loading');
      expect(res.headers.get('retry-after')).toBe('1');
      resolve(s.backend);
      await s.server.ready;
      expect((await fetch(`${s.url}/health`)).status).toBe(200);
    } finally {
      await s.close();
    }
  });

  test('503 model_failed after a failed load', async () => {
    const s = await startTestServer(
      {},
      { backend: Promise.reject(new Error('/secret/path/model.onnx is broken')) },
    );
    try {
      await s.server.ready.catch(() => {});
      const health = await fetch(`${s.url}/health`);
      expect(health.status).toBe(503);
      const res = await post(`${s.url}/v1/chat/completions`, user('x'));
      expect(res.body.error.code).toBe('model_failed');
      expect(res.text).not.toContain('/secret');
    } finally {
      await s.close();
    }
  });

  test('500 only for real faults: generic message with an incident id, no path or stack; the log has it', async () => {
    const s = await startTestServer({ fail: () => new TypeError('boom at /home/me/secret.ts:12') });
    try {
      const res = await post(`${s.url}/v1/chat/completions`, user('x'));
      expect(res.status).toBe(500);
      expect(res.body.error).toMatchObject({ type: 'server_error', code: 'internal_error' });
      expect(res.text).not.toMatch(/secret|boom|at /);
      const incident = /incident ([0-9a-f]{8})/.exec(res.body.error.message)![1]!;
      expect(s.logs.some((l) => l.includes(incident) && l.includes('boom'))).toBe(true);
    } finally {
      await s.close();
    }
  });

  test('an error after the stream started is an SSE error event, then [DONE]', async () => {
    const s = await startTestServer({ stepMs: 1 });
    try {
      const original = s.backend.generate.bind(s.backend);
      s.backend.generate = async (input, sampling, callbacks) => {
        callbacks.onText?.('partial');
        await original(input, { ...sampling, maxTokens: 1 }, callbacks);
        throw new RangeError('fault in step 2');
      };
      const res = await fetch(`${s.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...user('x'), stream: true }),
      });
      expect(res.status).toBe(200);
      const events = (await res.text()).split('\n\n').filter(Boolean);
      expect(events.at(-1)).toBe('data: [DONE]');
      const error = JSON.parse(events.at(-2)!.slice(6));
      expect(error.error).toMatchObject({ type: 'server_error', code: 'internal_error' });
      // The openai client raises it as an APIError while iterating.
      const stream = await s.client().chat.completions.create({ ...user('x'), stream: true } as never);
      await expect(
        (async () => {
          for await (const _ of stream as unknown as AsyncIterable<unknown>) {
          }
        })(),
      ).rejects.toBeInstanceOf(OpenAI.APIError);
    } finally {
      await s.close();
    }
  });
});

describe('remote image URLs (--allow-remote-images)', () => {
  let imageServer: Server;
  let imageUrl: string;
  beforeAll(async () => {
    const png = Buffer.from(TINY_PNG_DATA_URI.split(',')[1]!, 'base64');
    imageServer = createServer((req, res) => {
      if (req.url === '/big') {
        res.writeHead(200, { 'content-type': 'image/png' });
        res.end(Buffer.alloc(50_000));
      } else if (req.url === '/slow') {
        res.writeHead(200, { 'content-type': 'image/png' });
        res.write(png.subarray(0, 10)); // then never finishes
      } else if (req.url === '/redirect') {
        res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data' });
        res.end();
      } else {
        res.writeHead(200, { 'content-type': 'image/png' });
        res.end(png);
      }
    });
    await new Promise<void>((r) => imageServer.listen(0, '127.0.0.1', r));
    imageUrl = `http://127.0.0.1:${(imageServer.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    imageServer.closeAllConnections();
    imageServer.close();
  });

  const image = (url: string) =>
    user([
      { type: 'image_url', image_url: { url } },
      { type: 'text', text: 'x' },
    ]);

  test('private, loopback and link-local targets are refused (by resolved address, not by name)', async () => {
    const s = await startTestServer({}, { allowRemoteImages: true });
    try {
      for (const url of [
        `${imageUrl}/a.png`,
        'http://localhost:1/a.png',
        'http://[::1]:1/a.png',
        'http://[::ffff:127.0.0.1]:1/a.png',
        'http://169.254.169.254/latest/meta-data',
        'http://10.1.2.3/a.png',
        'http://0x7f000001/a.png',
        'http://2130706433/a.png',
      ]) {
        const res = await post(`${s.url}/v1/chat/completions`, image(url));
        expect(res.status, url).toBe(400);
        expect(res.body.error.code, url).toBe('invalid_image_url');
        expect(res.body.error.message, url).toMatch(/not a public address/);
      }
    } finally {
      await s.close();
    }
  });

  test('fetched within the limits when the address is allowed; size, time and redirect targets are checked', async () => {
    const s = await startTestServer(
      {},
      {
        allowRemoteImages: true,
        // Loopback is the only place tests may fetch from: widen the policy to it, nothing else.
        remoteImages: { allowAddress: (a) => a === '127.0.0.1', maxBytes: 10_000, timeoutMs: 300 },
      },
    );
    try {
      const ok = await post(`${s.url}/v1/chat/completions`, image(`${imageUrl}/a.png`));
      expect(ok.status, ok.text).toBe(200);
      const parts = (s.backend.calls.at(-1)!.input as { messages: { content: { image?: Uint8Array }[] }[] })
        .messages[0]!.content;
      expect(Buffer.from(parts[0]!.image!).subarray(1, 4).toString()).toBe('PNG');
      const big = await post(`${s.url}/v1/chat/completions`, image(`${imageUrl}/big`));
      expect(big.body.error.message).toMatch(/over the limit of 10000 bytes/);
      const slow = await post(`${s.url}/v1/chat/completions`, image(`${imageUrl}/slow`));
      expect(slow.body.error.message).toMatch(/within 300 ms/);
      const redirect = await post(`${s.url}/v1/chat/completions`, image(`${imageUrl}/redirect`));
      expect(redirect.status).toBe(400);
      expect(redirect.body.error.message).toMatch(/169\.254\.169\.254 is not a public address/);
    } finally {
      await s.close();
    }
  });

  test('a text-only model refuses images with a clear 400', async () => {
    const s = await startTestServer({ supportsImages: false });
    try {
      const res = await post(`${s.url}/v1/chat/completions`, image(TINY_PNG_DATA_URI));
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'images_not_supported', message: /takes text only/ });
    } finally {
      await s.close();
    }
  });
});
