import { request } from 'node:http';
import { connect } from 'node:net';
import { describe, expect, test } from 'vitest';
import { chatBody as body, post, startTestServer, until } from '../test-utils/start-server.js';

// Clients that misbehave at the connection level: a stalled body, a reader that stops reading,
// hundreds of disconnects in a row. The server must stay responsive and leave nothing running.

describe('slow and vanishing clients', () => {
  test('a client that sends its body too slowly gets 408 and others are served meanwhile', async () => {
    const t = await startTestServer({ answerWords: 2 }, { bodyTimeoutMs: 200 });
    try {
      const { port } = new URL(t.url);
      const slow = new Promise<string>((resolve) => {
        const socket = connect(Number(port), '127.0.0.1', () => {
          socket.write(
            'POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"mo',
          );
        });
        let text = '';
        socket.on('data', (d) => (text += d));
        socket.on('close', () => resolve(text));
        socket.on('error', () => resolve(text));
      });
      const fast = await post(`${t.url}/v1/chat/completions`, body());
      expect(fast.status).toBe(200);
      expect(await slow).toMatch(/^HTTP\/1\.1 408/);
    } finally {
      await t.close();
    }
  });

  test('a stream reader that stops reading is cut off once its unsent bytes pass the limit', async () => {
    const t = await startTestServer(
      { stepMs: 0, contextLength: 1e9, padding: 64 * 1024 },
      { maxBufferedBytes: 256 * 1024 },
    );
    try {
      const { port } = new URL(t.url);
      const req = request(
        {
          host: '127.0.0.1',
          port: Number(port),
          method: 'POST',
          path: '/v1/chat/completions',
          headers: { 'content-type': 'application/json' },
        },
        (res) => {
          res.pause(); // never read: the socket buffers fill up
          res.socket.pause();
        },
      );
      req.on('error', () => {});
      req.end(JSON.stringify(body({ stream: true, max_tokens: 1_000_000 })));
      await until(() => t.backend.aborted === 1, 20_000);
      await until(() => t.backend.active === 0);
      req.destroy();
      expect(t.backend.aborted).toBe(1);
      expect(t.backend.steps).toBeLessThan(1_000_000);
      expect((await post(`${t.url}/v1/chat/completions`, body({ max_tokens: 2 }))).status).toBe(200);
    } finally {
      await t.close();
    }
  }, 30_000);

  test('200 disconnects in a row leave nothing running and the server answering', async () => {
    const t = await startTestServer({ stepMs: 1, contextLength: 1e9 }, { concurrency: 4, maxQueue: 512 });
    try {
      for (let round = 0; round < 10; round++) {
        const controllers = Array.from({ length: 20 }, () => new AbortController());
        const pending = controllers.map((c) =>
          fetch(`${t.url}/v1/chat/completions`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(body({ stream: round % 2 === 0, max_tokens: 100_000 })),
            signal: c.signal,
          })
            .then((r) => r.body?.cancel())
            .catch(() => {}),
        );
        await new Promise((r) => setTimeout(r, 5));
        for (const c of controllers) c.abort();
        await Promise.all(pending);
      }
      await until(
        () => t.backend.active === 0 && t.server.queue.queued === 0 && t.server.queue.running === 0,
      );
      expect(t.backend.stepsAfterAbort).toBe(0);
      const ok = await post(`${t.url}/v1/chat/completions`, body({ max_tokens: 3 }));
      expect(ok.status).toBe(200);
      expect(ok.body.choices[0].message.content).toBe('w0 w1 w2');
    } finally {
      await t.close();
    }
  }, 30_000);
});
