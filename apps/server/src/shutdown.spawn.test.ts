import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, test } from 'vitest';

const appDir = fileURLToPath(new URL('..', import.meta.url));
let child: ChildProcess | undefined;

/** Starts the fake server process; resolves with its URL (printed on stdout). */
function start(
  stepMs: number,
  shutdownMs: number,
): Promise<{ url: string; stderr: () => string; exit: Promise<number | null> }> {
  child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      '--conditions=@gemma3/source',
      'src/test-utils/fake-server-main.ts',
      String(stepMs),
      String(shutdownMs),
    ],
    { cwd: appDir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const exit = new Promise<number | null>((resolve) => child!.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    let out = '';
    child!.stdout!.on('data', (d) => {
      out += d;
      const url = /http:\/\/127\.0\.0\.1:\d+/.exec(out)?.[0];
      if (url) resolve({ url, stderr: () => stderr, exit });
    });
    exit.then((code) => reject(new Error(`exited ${code} before listening: ${stderr}`)));
  });
}

afterEach(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
});

const body = (extra: object) =>
  JSON.stringify({ model: 'fake-gemma', messages: [{ role: 'user', content: 'go' }], ...extra });

// Each spawn starts node + tsx (about a second on the shared 2-core machine).
describe('SIGTERM (spawned server process)', { timeout: 30_000 }, () => {
  test('a running request finishes, new connections are refused, exit code 0', async () => {
    const server = await start(5, 10_000);
    const res = await fetch(`${server.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: body({ stream: true, max_tokens: 40 }),
    });
    const text = res.text();
    await new Promise((r) => setTimeout(r, 50));
    child!.kill('SIGTERM');
    const events = (await text).split('\n\n').filter(Boolean);
    expect(events.at(-1)).toBe('data: [DONE]');
    const finish = JSON.parse(events.at(-2)!.slice(6));
    expect(finish.choices[0].finish_reason).toBe('length');
    expect(await server.exit).toBe(0);
    expect(server.stderr()).toMatch(/SIGTERM: shutting down/);
    expect(server.stderr()).toMatch(/stopped/);
    await expect(fetch(`${server.url}/health`)).rejects.toThrow();
  });

  test('a generation longer than the shutdown timeout is aborted; the process still exits 0 in time', async () => {
    const server = await start(5, 200);
    const res = await fetch(`${server.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: body({ stream: true, max_tokens: 1_000_000 }),
    });
    const text = res.text();
    await new Promise((r) => setTimeout(r, 50));
    const killedAt = Date.now();
    child!.kill('SIGTERM');
    expect(await server.exit).toBe(0);
    expect(Date.now() - killedAt).toBeLessThan(5_000);
    const events = (await text).split('\n\n').filter(Boolean);
    expect(events.at(-1)).toBe('data: [DONE]');
    expect(JSON.parse(events.at(-2)!.slice(6)).error.code).toBe('shutting_down');
  });
});
