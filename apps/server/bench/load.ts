// Load benchmark of the server on the tiny-text checkpoint (random weights, real tokenizer).
//   pnpm --filter @gemma3/server bench            200 requests, 8 concurrent clients
//   pnpm --filter @gemma3/server soak             2000 requests, RSS and open fds sampled along the way
// Options: --requests N --clients N --max-tokens N --server-concurrency N --model DIR
// The server runs as its own process (node + tsx, from sources) on 127.0.0.1; RSS and fds are read
// from /proc/<pid>. Half the requests stream (SSE), half do not.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createRandomCheckpoint } from '@gemma3/random-checkpoint';
import { loadPipelineBackend } from '../src/pipeline-backend.js';

const { values } = parseArgs({
  options: {
    soak: { type: 'boolean' },
    requests: { type: 'string' },
    clients: { type: 'string' },
    'max-tokens': { type: 'string' },
    'server-concurrency': { type: 'string' },
    model: { type: 'string' },
    'no-baseline': { type: 'boolean' },
  },
});
const soak = values.soak === true;
const requests = Number(values.requests ?? (soak ? 2000 : 200));
const clients = Number(values.clients ?? 8);
const maxTokens = Number(values['max-tokens'] ?? (soak ? 4 : 16));
const serverConcurrency = Number(values['server-concurrency'] ?? 1);
const work = join(tmpdir(), 'gemma3-server-bench');
const model = values.model ?? join(work, 'tiny-text');

if (!existsSync(join(model, 'model.safetensors'))) {
  process.stderr.write(`creating the tiny-text checkpoint in ${model}\n`);
  await createRandomCheckpoint({ preset: 'tiny-text', outDir: model, seed: 0 });
}

const prompts = [
  'Hello there',
  'Name three colours.',
  'Write a haiku about rain.',
  'What is 2 + 2?',
  'Tell me a story',
];

// Baseline: the same generations through the backend directly (no HTTP), one at a time, before the
// server starts (so the two never compete for the cores).
let baseline: { msPerRequest: number; tokensPerSecond: number } | undefined;
if (values['no-baseline'] !== true) {
  const backend = await loadPipelineBackend(model, { cacheDir: join(work, 'onnx-cache'), progress: false });
  const signal = new AbortController().signal;
  const generate = (i: number) =>
    backend.generate(
      { kind: 'chat', messages: [{ role: 'user', content: prompts[i % prompts.length]! }] },
      { maxTokens, seed: i },
      { signal },
    );
  for (let i = 0; i < 4; i++) await generate(i);
  const start = performance.now();
  let tokens = 0;
  const n = 20;
  for (let i = 0; i < n; i++) tokens += (await generate(16 + i)).completionTokens;
  const ms = performance.now() - start;
  baseline = { msPerRequest: ms / n, tokensPerSecond: (tokens * 1000) / ms };
  await backend.dispose();
}

const appDir = fileURLToPath(new URL('..', import.meta.url));
const child = spawn(
  process.execPath,
  [
    '--import',
    'tsx',
    '--conditions=@gemma3/source',
    'src/main.ts',
    '--model',
    model,
    '--port',
    '0',
    '--cache-dir',
    join(work, 'onnx-cache'),
    '--concurrency',
    String(serverConcurrency),
    '--max-queue',
    String(Math.max(16, clients)),
  ],
  { cwd: appDir, stdio: ['ignore', 'ignore', 'pipe'] },
);
const pid = child.pid!;
let log = '';
const url = await new Promise<string>((resolve, reject) => {
  child.stderr!.on('data', (d) => {
    log += d;
    const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(log);
    if (m) resolve(m[1]!);
  });
  child.on('exit', (code) => reject(new Error(`server exited ${code}: ${log}`)));
});
while ((await fetch(`${url}/health`)).status !== 200) await new Promise((r) => setTimeout(r, 100));

const rssMiB = () => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
const openFds = () => readdirSync(`/proc/${pid}/fd`).length;

let errors = 0;
let completionTokens = 0;

async function one(i: number): Promise<number> {
  const stream = i % 2 === 1;
  const started = performance.now();
  const res = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      model: 'tiny-text',
      messages: [{ role: 'user', content: prompts[i % prompts.length] }],
      max_tokens: maxTokens,
      seed: i,
      stream,
      ...(stream ? { stream_options: { include_usage: true } } : {}),
    }),
  });
  const text = await res.text();
  if (res.status !== 200 || (stream && !text.endsWith('data: [DONE]\n\n'))) {
    errors++;
    return performance.now() - started;
  }
  const usage = stream ? JSON.parse(text.split('\n\n').at(-3)!.slice(6)).usage : JSON.parse(text).usage;
  completionTokens += usage.completion_tokens;
  return performance.now() - started;
}

async function run(count: number, offset: number): Promise<number[]> {
  const latencies: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < count) {
        const i = next++;
        latencies.push(await one(offset + i));
      }
    }),
  );
  return latencies;
}

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

await run(16, 0); // warm-up: first calls build caches
const rssBefore = rssMiB();
const fdsBefore = openFds();
const samples: { done: number; rss: number; fds: number }[] = [{ done: 0, rss: rssBefore, fds: fdsBefore }];
const started = performance.now();
const latencies: number[] = [];
const round = soak ? 200 : requests;
for (let done = 0; done < requests; done += round) {
  latencies.push(...(await run(Math.min(round, requests - done), 16 + done)));
  samples.push({ done: done + Math.min(round, requests - done), rss: rssMiB(), fds: openFds() });
}
const seconds = (performance.now() - started) / 1000;
const rssAfter = rssMiB();
const fdsAfter = openFds();
latencies.sort((a, b) => a - b);
child.kill('SIGTERM');
const exitCode = await new Promise<number | null>((resolve) => child.on('exit', resolve));

const cpus = (await import('node:os')).cpus();
console.log(`## server ${soak ? 'soak' : 'load'} bench (${new Date().toISOString().slice(0, 10)})`);
console.log(`machine: ${cpus.length} cores (${cpus[0]?.model.trim()}), shared; node ${process.version}`);
console.log(
  `model: tiny-text (random weights), max_tokens ${maxTokens}, ${clients} concurrent clients, server --concurrency ${serverConcurrency}, half streamed`,
);
console.log('');
console.log(
  '| requests | errors | req/s | completion tok/s | p50 ms | p99 ms | RSS before -> after (MiB) | open fds before -> after |',
);
console.log('|---|---|---|---|---|---|---|---|');
console.log(
  `| ${requests} | ${errors} | ${(requests / seconds).toFixed(1)} | ${(completionTokens / seconds).toFixed(0)} | ${quantile(latencies, 0.5).toFixed(0)} | ${quantile(latencies, 0.99).toFixed(0)} | ${rssBefore.toFixed(0)} -> ${rssAfter.toFixed(0)} | ${fdsBefore} -> ${fdsAfter} |`,
);
if (baseline) {
  console.log('');
  console.log(
    `baseline without HTTP (backend.generate, one at a time, 20 requests): ${baseline.msPerRequest.toFixed(0)} ms per request, ${baseline.tokensPerSecond.toFixed(0)} completion tok/s`,
  );
}
if (soak) {
  console.log('');
  console.log(
    `RSS (MiB) and open fds after each round: ${samples.map((s) => `${s.done}: ${s.rss.toFixed(0)}/${s.fds}`).join(', ')}`,
  );
}
console.log(`server exit code after SIGTERM: ${exitCode}`);
if (errors > 0 || exitCode !== 0) process.exitCode = 1;
