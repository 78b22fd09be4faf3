import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const appDir = fileURLToPath(new URL('../..', import.meta.url));
export const REPO_ROOT = fileURLToPath(new URL('../../../..', import.meta.url));
export const RENDER_SCRIPT = join(REPO_ROOT, 'deploy/nginx/render.sh');
/** Debian's nginx (apt-get install -y nginx), or $GEMMA3_NGINX. */
export const NGINX = process.env.GEMMA3_NGINX ?? '/usr/sbin/nginx';
export const hasNginx = existsSync(NGINX);

/** A child process the test started: it is killed (SIGKILL) by `killAll` if it is still running. */
export interface Spawned {
  child: ChildProcess;
  /** Resolves with the exit code (null when killed by a signal). */
  exit: Promise<number | null>;
  output: () => string;
}

const started: Spawned[] = [];

function track(child: ChildProcess): Spawned {
  let output = '';
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const spawned = { child, exit, output: () => output };
  started.push(spawned);
  return spawned;
}

/** SIGKILLs every process started here that is still running, and waits for each to exit. */
export async function killAll(): Promise<void> {
  const running = started.splice(0).filter((s) => s.child.exitCode === null && s.child.signalCode === null);
  for (const s of running) s.child.kill('SIGKILL');
  await Promise.all(running.map((s) => s.exit));
}

export interface Replica extends Spawned {
  name: string;
  url: string;
  port: number;
}

/**
 * Starts `serve()` over a FakeBackend as its own process (test-utils/replica-main.ts) on a free
 * loopback port; it sends `X-Served-By: <name>`. Resolves once it listens.
 */
export function spawnReplica(name: string, stepMs = 5, shutdownMs = 10_000): Promise<Replica> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      '--conditions=@gemma3/source',
      'src/test-utils/replica-main.ts',
      name,
      String(stepMs),
      String(shutdownMs),
    ],
    { cwd: appDir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const spawned = track(child);
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', () => {
      const url = /http:\/\/127\.0\.0\.1:(\d+)/.exec(spawned.output());
      if (url) resolve({ ...spawned, name, url: url[0], port: Number(url[1]) });
    });
    spawned.exit.then((code) => reject(new Error(`replica ${name} exited ${code}: ${spawned.output()}`)));
  });
}

/** A loopback port that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Runs deploy/nginx/render.sh with `args`; its stdout, stderr and exit status. */
export function render(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const out = spawnSync('sh', [RENDER_SCRIPT, ...args], { encoding: 'utf8' });
  return { status: out.status, stdout: out.stdout, stderr: out.stderr };
}

/**
 * The main nginx.conf of a private nginx in `dir`: foreground, one process (no user switch, so root
 * is fine), its pid, logs and temp folders in `dir`, and the rendered gemma3 config included.
 */
export function mainConfig(dir: string, include: string): string {
  const t = (name: string) => join(dir, 'tmp', name);
  return [
    'daemon off;',
    'master_process off;',
    'worker_processes 1;',
    `pid ${join(dir, 'nginx.pid')};`,
    `error_log ${join(dir, 'error.log')} info;`,
    'events { worker_connections 256; }',
    'http {',
    `  access_log ${join(dir, 'access.log')};`,
    `  client_body_temp_path ${t('body')};`,
    `  proxy_temp_path ${t('proxy')};`,
    `  fastcgi_temp_path ${t('fastcgi')};`,
    `  uwsgi_temp_path ${t('uwsgi')};`,
    `  scgi_temp_path ${t('scgi')};`,
    `  include ${include};`,
    '}',
    '',
  ].join('\n');
}

export interface Nginx extends Spawned {
  url: string;
  errorLog: string;
}

/**
 * Renders deploy/nginx for `replicas` (loopback ports), writes the main config into `dir` and starts
 * nginx in the foreground on a free loopback port. Resolves once it proxies /health.
 */
export async function startNginx(dir: string, replicas: number[]): Promise<Nginx> {
  await mkdir(join(dir, 'tmp'), { recursive: true });
  const port = await freePort();
  const rendered = render([
    '--listen',
    `127.0.0.1:${port}`,
    ...replicas.flatMap((p) => ['--server', `127.0.0.1:${p}`]),
  ]);
  if (rendered.status !== 0) throw new Error(`render.sh failed: ${rendered.stderr}`);
  await writeFile(join(dir, 'gemma3.conf'), rendered.stdout);
  const conf = join(dir, 'nginx.conf');
  await writeFile(conf, mainConfig(dir, join(dir, 'gemma3.conf')));
  const errorLog = join(dir, 'error.log');
  const child = spawn(NGINX, ['-p', dir, '-c', conf, '-e', errorLog], { stdio: ['ignore', 'pipe', 'pipe'] });
  const nginx = { ...track(child), url: `http://127.0.0.1:${port}`, errorLog };
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`nginx exited ${child.exitCode}: ${nginx.output()}`);
    const ok = await fetch(`${nginx.url}/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return nginx;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nginx did not answer on ${nginx.url}: ${nginx.output()}`);
}
