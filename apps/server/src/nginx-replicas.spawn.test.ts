import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import {
  hasNginx,
  killAll,
  mainConfig,
  NGINX,
  type Nginx,
  REPO_ROOT,
  type Replica,
  render,
  spawnReplica,
  startNginx,
} from './test-utils/replicas.js';

// deploy/nginx: N replicas of the server behind Debian's nginx, sticky by X-Conversation-Id.
if (!hasNginx) {
  console.warn(
    `[server] nginx replica tests skipped: no nginx at ${NGINX} (apt-get install -y nginx, or set GEMMA3_NGINX)`,
  );
}

/** Polls `check` every 20 ms until it holds; fails after `timeoutMs`. */
async function until(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 5_000,
): Promise<void> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const headers = (conversation?: string): Record<string, string> => ({
  'content-type': 'application/json',
  ...(conversation === undefined ? {} : { 'x-conversation-id': conversation }),
});

const body = (maxTokens: number, stream: boolean) =>
  JSON.stringify({
    model: 'fake-gemma',
    messages: [{ role: 'user', content: 'hello there' }],
    max_tokens: maxTokens,
    ...(stream ? { stream: true } : {}),
  });

interface Answer {
  status: number;
  servedBy: string | null;
  finishReason: string | undefined;
}

/** A non-streamed chat request through `base`. */
async function ask(base: string, conversation?: string, maxTokens = 4): Promise<Answer> {
  const res = await fetch(`${base}/v1/chat/completions`, {
    method: 'POST',
    headers: headers(conversation),
    body: body(maxTokens, false),
  });
  const json = (await res.json()) as { choices?: { finish_reason: string }[] };
  return {
    status: res.status,
    servedBy: res.headers.get('x-served-by'),
    finishReason: json.choices?.[0]?.finish_reason,
  };
}

interface Stream {
  status: number;
  servedBy: string | null;
  /** `data:` events so far. */
  events: string[];
  /** `done`: ended with [DONE]; `eof`: ended without it; `error`: the connection broke. */
  ended: Promise<'done' | 'eof' | 'error'>;
}

/** A streamed chat request through `base`, read as it arrives. */
async function openStream(base: string, conversation?: string, maxTokens = 4): Promise<Stream> {
  const res = await fetch(`${base}/v1/chat/completions`, {
    method: 'POST',
    headers: headers(conversation),
    body: body(maxTokens, true),
  });
  const events: string[] = [];
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const ended = (async () => {
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        const parts = buffer.split('\n\n');
        buffer = parts.pop()!;
        events.push(...parts.filter(Boolean));
      }
    } catch {
      return 'error' as const;
    }
    return events.at(-1) === 'data: [DONE]' ? ('done' as const) : ('eof' as const);
  })();
  return { status: res.status, servedBy: res.headers.get('x-served-by'), events, ended };
}

/** Streams to the end: its status, replica and how it ended. */
async function streamed(base: string, conversation?: string, maxTokens = 4) {
  const s = await openStream(base, conversation, maxTokens);
  return { status: s.status, servedBy: s.servedBy, ended: await s.ended };
}

/** One unlabelled gauge of a replica's /metrics. */
async function gauge(replica: Replica, name: string): Promise<number> {
  const text = await (await fetch(`${replica.url}/metrics`)).text();
  return Number(
    text
      .split('\n')
      .find((l) => l.startsWith(`${name} `))
      ?.split(' ')[1],
  );
}

/**
 * Conversation ids and the replica nginx sends each to: plain requests for conv-0, conv-1, ... until
 * every replica has `perReplica` of them (at most 64 ids).
 */
async function conversationsByReplica(base: string, names: string[], perReplica: number) {
  const byReplica = new Map<string, string[]>(names.map((n) => [n, []]));
  for (let i = 0; i < 64 && [...byReplica.values()].some((ids) => ids.length < perReplica); i++) {
    const id = `conv-${i}`;
    const { status, servedBy } = await ask(base, id);
    expect(status).toBe(200);
    byReplica.get(servedBy!)!.push(id);
  }
  for (const ids of byReplica.values()) expect(ids.length).toBeGreaterThanOrEqual(perReplica);
  return byReplica;
}

describe('deploy/nginx/render.sh', () => {
  test('deploy/nginx/gemma3.conf is its output with the defaults', () => {
    const out = render([]);
    expect(out.status).toBe(0);
    expect(out.stdout).toBe(readFileSync(join(REPO_ROOT, 'deploy/nginx/gemma3.conf'), 'utf8'));
    expect(out.stdout).toMatch(/hash \$http_x_conversation_id consistent;/);
    expect(out.stdout).toMatch(
      /server 127\.0\.0\.1:8081 max_fails=1 fail_timeout=10s;\n\s+server 127\.0\.0\.1:8082 /,
    );
  });

  test('N replicas on consecutive ports, or the servers given; bad arguments exit 2', () => {
    const four = render(['--replicas', '4', '--first-port', '9001', '--listen', '0.0.0.0:80']);
    expect([...four.stdout.matchAll(/^\s+(server \S+) max_fails/gm)].map((m) => m[1])).toEqual([
      'server 127.0.0.1:9001',
      'server 127.0.0.1:9002',
      'server 127.0.0.1:9003',
      'server 127.0.0.1:9004',
    ]);
    expect(four.stdout).toMatch(/listen 0\.0\.0\.0:80;/);
    const hosts = render(['--server', '10.0.0.5:8080', '--server', 'gemma-b:8080']);
    expect([...hosts.stdout.matchAll(/^\s+server \S+ max_fails/gm)].length).toBe(2);
    for (const bad of [
      ['--replicas', '0'],
      ['--first-port', '65535', '--replicas', '2'],
      ['--server', '10.0.0.5'],
      ['--server', 'a;b:80'],
      ['--fail-timeout', '1;'],
      ['--bogus'],
      ['--listen'],
    ]) {
      const out = render(bad);
      expect(out.status, bad.join(' ')).toBe(2);
      expect(out.stdout).toBe('');
    }
  });

  test.skipIf(!hasNginx)('the rendered config passes nginx -t', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gemma3-nginx-t-'));
    try {
      await mkdir(join(dir, 'tmp'));
      await writeFile(join(dir, 'gemma3.conf'), render(['--replicas', '3']).stdout);
      await writeFile(join(dir, 'nginx.conf'), mainConfig(dir, join(dir, 'gemma3.conf')));
      const out = spawnSync(
        NGINX,
        ['-t', '-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')],
        {
          encoding: 'utf8',
        },
      );
      expect(out.stderr).toMatch(/test is successful/);
      expect(out.status).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

// Each test starts two replica processes (node + tsx, about a second each on the shared machine) and nginx.
describe.skipIf(!hasNginx)('two replicas behind nginx (loopback)', { timeout: 30_000 }, () => {
  let dir: string;
  let a: Replica;
  let b: Replica;
  let nginx: Nginx;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gemma3-nginx-'));
    [a, b] = await Promise.all([spawnReplica('A'), spawnReplica('B')]);
    nginx = await startNginx(dir, [a.port, b.port]);
  }, 30_000);

  afterEach(async () => {
    await killAll();
    await rm(dir, { recursive: true, force: true });
  });

  test('sticky by X-Conversation-Id, round robin without it; a replica killed mid-stream loses only that stream', async () => {
    const byReplica = await conversationsByReplica(nginx.url, ['A', 'B'], 3);
    const conversations = [...byReplica.values()].flat();
    const owner = (id: string) => [...byReplica].find(([, ids]) => ids.includes(id))![0];

    // Mixed traffic, all at once: every conversation plain and streamed, and 8 requests without the header.
    const [plain, streams, anonymous] = await Promise.all([
      Promise.all(conversations.map((id) => ask(nginx.url, id))),
      Promise.all(conversations.map((id) => streamed(nginx.url, id))),
      Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? ask(nginx.url) : streamed(nginx.url)))),
    ]);
    conversations.forEach((id, i) => {
      expect(plain[i]).toMatchObject({ status: 200, servedBy: owner(id), finishReason: 'length' });
      expect(streams[i]).toMatchObject({ status: 200, servedBy: owner(id), ended: 'done' });
    });
    expect(anonymous.every((r) => r.status === 200)).toBe(true);
    const spread = anonymous.map((r) => r.servedBy);
    expect(spread.filter((s) => s === 'A').length).toBeGreaterThanOrEqual(2);
    expect(spread.filter((s) => s === 'B').length).toBeGreaterThanOrEqual(2);

    // The openai client sends the id with `defaultHeaders` (deploy/README.md): plain and streamed.
    const id = byReplica.get('B')![1]!;
    const client = new OpenAI({
      baseURL: `${nginx.url}/v1`,
      apiKey: 'none',
      maxRetries: 0,
      defaultHeaders: { 'X-Conversation-Id': id },
    });
    const request = {
      model: 'fake-gemma',
      messages: [{ role: 'user' as const, content: 'hi' }],
      max_tokens: 3,
    };
    const viaClient = await client.chat.completions.create(request).withResponse();
    expect(viaClient.response.headers.get('x-served-by')).toBe('B');
    expect(viaClient.data.choices[0]!.finish_reason).toBe('length');
    const clientStream = await client.chat.completions.create({ ...request, stream: true }).withResponse();
    expect(clientStream.response.headers.get('x-served-by')).toBe('B');
    let chunks = 0;
    for await (const _ of clientStream.data) chunks++;
    expect(chunks).toBeGreaterThan(3);

    // Two streams (raw and through the openai client) and a non-streamed request running on A, a
    // stream on B; then A is killed (SIGKILL).
    const [onA, otherOnA] = byReplica.get('A')!;
    const cut = await openStream(nginx.url, onA, 1_000_000);
    const clientCut = await client.chat.completions.create(
      { ...request, max_tokens: 1_000_000, stream: true },
      { headers: { 'X-Conversation-Id': onA } },
    );
    const clientChunks: unknown[] = [];
    const clientEnd = (async () => {
      for await (const chunk of clientCut) clientChunks.push(chunk);
    })().then(
      () => 'completed',
      (error: Error) => error.constructor.name,
    );
    const pending = ask(nginx.url, otherOnA, 200);
    const onB = await openStream(nginx.url, byReplica.get('B')![0], 200);
    await until(
      async () =>
        cut.events.length >= 3 &&
        clientChunks.length >= 3 &&
        (await gauge(a, 'gemma3_active_generations')) === 3,
      'three generations on A',
    );
    a.child.kill('SIGKILL');
    await a.exit;

    // The cut stream ends at once with a broken connection (never [DONE]); nothing else is lost.
    const cutEnd = await Promise.race([
      cut.ended,
      new Promise<'hang'>((r) => setTimeout(() => r('hang'), 5_000)),
    ]);
    expect(cutEnd).toBe('error');
    expect(cut.servedBy).toBe('A');
    expect(cut.events).not.toContain('data: [DONE]');
    // The openai client raises while iterating the stream (the connection broke), it does not hang.
    const clientOutcome = await Promise.race([
      clientEnd,
      new Promise<string>((r) => setTimeout(() => r('hang'), 5_000)),
    ]);
    expect(clientOutcome).not.toMatch(/^(completed|hang)$/);
    // The request A had not answered yet is passed to B (nothing of it was sent): nginx retries it.
    expect(await pending).toMatchObject({ status: 200, servedBy: 'B', finishReason: 'length' });
    expect(await onB.ended).toBe('done');
    const after = await Promise.all([
      ...conversations.map((id) => ask(nginx.url, id)),
      ...conversations.map((id) => streamed(nginx.url, id)),
      ...Array.from({ length: 4 }, () => ask(nginx.url)),
    ]);
    for (const r of after) expect(r).toMatchObject({ status: 200, servedBy: 'B' });
    expect(after.filter((r) => 'ended' in r).every((r) => 'ended' in r && r.ended === 'done')).toBe(true);
    expect(await readFile(nginx.errorLog, 'utf8')).toMatch(/upstream prematurely closed connection/);
  });

  test('SIGTERM drains a replica: its stream finishes, /health says 503 closing, new traffic goes to the other, exit 0', async () => {
    const byReplica = await conversationsByReplica(nginx.url, ['A', 'B'], 2);
    const [onA, otherOnA] = byReplica.get('A')!;
    const running = await openStream(nginx.url, onA, 400); // 400 steps of 5 ms: 2 s or more
    await until(() => running.events.length >= 2, 'the first chunks');
    a.child.kill('SIGTERM');

    // While A drains, it says so on /health, and its conversations are answered by B.
    await until(async () => (await fetch(`${a.url}/health`)).status === 503, 'A /health 503');
    expect(await (await fetch(`${a.url}/health`)).json()).toMatchObject({ status: 'closing' });
    expect(await ask(nginx.url, otherOnA)).toMatchObject({ status: 200, servedBy: 'B' });
    expect(await streamed(nginx.url, onA)).toMatchObject({ status: 200, servedBy: 'B', ended: 'done' });
    expect(await ask(nginx.url)).toMatchObject({ status: 200, servedBy: 'B' });
    expect(a.child.exitCode).toBeNull(); // still draining: the running stream holds it

    // The running stream ends normally on A, and A exits 0.
    expect(await running.ended).toBe('done');
    expect(running.servedBy).toBe('A');
    const finish = JSON.parse(running.events.at(-2)!.slice('data: '.length));
    expect(finish.choices[0].finish_reason).toBe('length');
    expect(await a.exit).toBe(0);
    expect(a.output()).toMatch(/SIGTERM: shutting down/);
    expect(await ask(nginx.url, onA)).toMatchObject({ status: 200, servedBy: 'B' });
  });
});
