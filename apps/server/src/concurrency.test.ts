import { describe, expect, test } from 'vitest';
import { chatBody as body, post, startTestServer, until } from './test-utils/start-server.js';

describe('cancellation', () => {
  test('a streaming client that aborts stops its generation within one step (openai client, AbortController)', async () => {
    const t = await startTestServer({ stepMs: 5, contextLength: 1e9 });
    try {
      const controller = new AbortController();
      const stream = await t
        .client()
        .chat.completions.create({ ...body(), stream: true, max_tokens: 10_000 } as never, {
          signal: controller.signal,
        });
      let received = 0;
      try {
        for await (const _chunk of stream as unknown as AsyncIterable<unknown>) {
          if (++received === 5) controller.abort();
        }
      } catch {
        // the client may raise an abort error or end the iteration quietly
      }
      expect(received).toBeGreaterThanOrEqual(5);
      await until(() => t.backend.active === 0);
      expect(t.backend.aborted).toBe(1);
      expect(t.backend.stepsAfterAbort).toBe(0); // no step started after the abort reached the backend
      expect(t.backend.steps).toBeLessThan(100); // not 10,000
      const metrics = await (await fetch(`${t.url}/metrics`)).text();
      expect(metrics).toMatch(/^gemma3_cancelled_generations_total\{reason="client_gone"\} 1$/m);
    } finally {
      await t.close();
    }
  });

  test('a non-streaming client that disconnects stops its generation too', async () => {
    const t = await startTestServer({ stepMs: 5, contextLength: 1e9 });
    try {
      const controller = new AbortController();
      const pending = fetch(`${t.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body({ max_tokens: 10_000 })),
        signal: controller.signal,
      }).catch((e: Error) => e);
      await until(() => t.backend.steps >= 3);
      controller.abort();
      await pending;
      await until(() => t.backend.active === 0);
      expect(t.backend.aborted).toBe(1);
      expect(t.backend.stepsAfterAbort).toBe(0);
    } finally {
      await t.close();
    }
  });

  test('a client that leaves while queued never reaches the model; the queue moves on', async () => {
    const t = await startTestServer({ stepMs: 2, answerWords: 20 }, { concurrency: 1, maxQueue: 4 });
    try {
      const first = post(`${t.url}/v1/chat/completions`, body());
      await until(() => t.backend.active === 1);
      const controller = new AbortController();
      const queued = fetch(`${t.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body({ messages: [{ role: 'user', content: 'queued one' }] })),
        signal: controller.signal,
      }).catch((e: Error) => e);
      await until(() => t.server.queue.queued === 1);
      controller.abort();
      await queued;
      await until(() => t.server.queue.queued === 0);
      const third = post(`${t.url}/v1/chat/completions`, body());
      expect((await first).status).toBe(200);
      expect((await third).status).toBe(200);
      expect(t.backend.calls).toHaveLength(2);
      expect(JSON.stringify(t.backend.calls)).not.toContain('queued one');
    } finally {
      await t.close();
    }
  });
});

describe('queue', () => {
  test('concurrency limit holds; one request over concurrency + maxQueue gets 429 queue_full', async () => {
    const t = await startTestServer({ stepMs: 5, answerWords: 10 }, { concurrency: 2, maxQueue: 2 });
    try {
      const accepted = Array.from({ length: 4 }, () => post(`${t.url}/v1/chat/completions`, body()));
      await until(() => t.server.queue.running === 2 && t.server.queue.queued === 2);
      const rejected = await post(`${t.url}/v1/chat/completions`, body());
      expect(rejected.status).toBe(429);
      expect(rejected.body.error).toMatchObject({ type: 'rate_limit_error', code: 'queue_full' });
      expect(rejected.headers.get('retry-after')).toBe('1');
      await expect(t.client().chat.completions.create(body() as never)).rejects.toMatchObject({
        status: 429,
      });
      const results = await Promise.all(accepted);
      expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200]);
      expect(t.backend.maxActive).toBe(2);
      const metrics = await (await fetch(`${t.url}/metrics`)).text();
      expect(metrics).toMatch(/^gemma3_rejected_requests_total\{reason="queue_full"\} 2$/m);
    } finally {
      await t.close();
    }
  });
});

describe('graceful shutdown (in process)', () => {
  test('close(): new requests refused, queued ones get 503, running ones finish, backend disposed', async () => {
    const t = await startTestServer({ stepMs: 5, answerWords: 20 }, { concurrency: 1, maxQueue: 4 });
    const running = post(`${t.url}/v1/chat/completions`, body());
    await until(() => t.backend.active === 1);
    const queued = post(`${t.url}/v1/chat/completions`, body());
    await until(() => t.server.queue.queued === 1);
    const closing = t.server.close(5_000);
    const [r1, r2] = await Promise.all([running, queued]);
    await closing;
    expect(r1.status).toBe(200);
    expect(r1.body.choices[0].finish_reason).toBe('stop');
    expect(r2.status).toBe(503);
    expect(r2.body.error.code).toBe('shutting_down');
    await expect(fetch(`${t.url}/health`)).rejects.toThrow();
    expect(t.backend.disposed).toBe(true);
  });

  test('running generations past the grace period are aborted: a stream gets an error event and [DONE]', async () => {
    const t = await startTestServer({ stepMs: 5, contextLength: 1e9 }, { concurrency: 2 });
    const res = await fetch(`${t.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body({ stream: true, max_tokens: 100_000 })),
    });
    const plain = post(`${t.url}/v1/chat/completions`, body({ max_tokens: 100_000 }));
    await until(() => t.backend.active === 2);
    const started = Date.now();
    await t.server.close(100);
    expect(Date.now() - started).toBeLessThan(3_000);
    const events = (await res.text()).split('\n\n').filter(Boolean);
    expect(events.at(-1)).toBe('data: [DONE]');
    expect(JSON.parse(events.at(-2)!.slice(6)).error.code).toBe('shutting_down');
    const p = await plain;
    expect(p.status).toBe(503);
    expect(p.body.error.code).toBe('shutting_down');
    expect(t.backend.stepsAfterAbort).toBe(0);
  });
});
