import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { post, startTestServer, type TestServer } from '../test-utils/start-server.js';

let t: TestServer;

beforeAll(async () => {
  t = await startTestServer({ answerWords: 2 });
});

afterAll(async () => {
  await t.close();
});

/** The paths a page file asks for: <script src>, <link href>, and static or dynamic imports. */
function references(text: string): string[] {
  const patterns = [
    /<script[^>]* src="([^"]+)"/g,
    /<link[^>]* href="(\/[^"]+)"/g,
    /from '([^']+)'/g,
    /import\('([^']+)'\)/g,
  ];
  return patterns.flatMap((p) => [...text.matchAll(p)].map((m) => m[1]!));
}

describe('the chat page files', () => {
  test('GET / is public/index.html with a strict Content-Security-Policy', async () => {
    const res = await fetch(`${t.url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const policy = res.headers.get('content-security-policy')!;
    expect(policy).toContain("default-src 'none'");
    expect(policy).toContain("script-src 'self'");
    expect(policy).not.toMatch(/script-src[^;]*unsafe/);
    expect(policy).toContain("img-src 'self' data: blob:");
    expect(await res.text()).toBe(readFileSync(new URL('../../public/index.html', import.meta.url), 'utf8'));
  });

  test('everything the page loads is served, the Markdown and sanitiser libraries included', async () => {
    const seen = new Set<string>();
    const queue = ['/'];
    while (queue.length > 0) {
      const path = queue.shift()!;
      if (seen.has(path)) continue;
      seen.add(path);
      const res = await fetch(`${t.url}${path}`);
      expect(res.status, path).toBe(200);
      const text = await res.text();
      if (path.endsWith('.js')) {
        expect(res.headers.get('content-type'), path).toBe('text/javascript; charset=utf-8');
        for (const ref of references(text)) queue.push(new URL(ref, `http://x${path}`).pathname);
      } else if (path === '/') queue.push(...references(text));
    }
    expect(seen).toContain('/chat.css');
    expect(seen).toContain('/js/markdown.js');
    expect(seen).toContain('/vendor/markdown-it.mjs');
    expect(seen).toContain('/vendor/purify.mjs');
    for (const vendor of ['/vendor/markdown-it.mjs', '/vendor/purify.mjs']) {
      const res = await fetch(`${t.url}${vendor}`);
      expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
      expect(await res.text()).toMatch(/export \{ \w+ as default \};/);
    }
  });

  test('HEAD, conditional GET and methods', async () => {
    const head = await fetch(`${t.url}/js/app.js`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(Number(head.headers.get('content-length'))).toBeGreaterThan(1000);
    expect(await head.text()).toBe('');
    const etag = head.headers.get('etag')!;
    expect(etag).toMatch(/^"[\w-]{22}"$/);
    const again = await fetch(`${t.url}/js/app.js`, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    const changed = await fetch(`${t.url}/js/app.js`, { headers: { 'if-none-match': '"other"' } });
    expect(changed.status).toBe(200);
    const posted = await post(`${t.url}/chat.css`, {});
    expect(posted.status).toBe(405);
    expect(posted.headers.get('allow')).toBe('GET, HEAD');
  });

  test('nothing outside the table is served', async () => {
    for (const path of [
      '/js/',
      '/public/index.html',
      '/js/../../package.json',
      '/%2e%2e/package.json',
      '/vendor/purify.js',
      '/vendor/markdown-it.mjs.map',
      '/node_modules/dompurify/package.json',
    ]) {
      const res = await fetch(`${t.url}${path}`);
      expect(res.status, path).toBe(404);
      expect(((await res.json()) as { error: { code: string } }).error.code, path).toBe('unknown_url');
    }
  });

  test('chat requests carry X-Conversation-Id (sticky routing by a proxy) without trouble', async () => {
    const res = await post(
      `${t.url}/v1/chat/completions`,
      { model: 'fake-gemma', messages: [{ role: 'user', content: 'hi' }] },
      { 'x-conversation-id': '0123456789abcdef01234567' },
    );
    expect(res.status).toBe(200);
    expect(res.body.choices[0].message.content).toBe('w0 w1');
  });
});
