/**
 * Issue 14's serving figures: our server (continuous batching, prefix reuse) against llama.cpp
 * (node-llama-cpp's multi-sequence context on the same weights as Q4_0), in one run.
 *
 *   pnpm --filter @gemma3/server bench [-- --model DIR --dtype q4 --clients 8 --prompt-tokens 128
 *     --new-tokens 128 --conversation-tokens 1000 --turn-tokens 30 --no-llama --json-out FILE]
 *
 * Our side is `gemma3-server` as a user runs it (a child process, HTTP + SSE on 127.0.0.1, --parallel
 * = clients); llama.cpp's runs in its own child process without HTTP (packages/gguf/bench/
 * serving-llama-cpp.ts), on token ids from the same tokenizer. Scenarios:
 * - prefix: 3 chat conversations of ~1000 tokens, 30 new tokens; turn 2 adds ~30 tokens: time to
 *   first token of each turn (ours through the prefix cache; llama.cpp keeps the sequence's prefix).
 * - concurrent: `clients` streaming clients with distinct prompts of `prompt-tokens`, `new-tokens`
 *   each; first one client alone. Aggregate decode tok/s = sum of (tokens - 1) / (last token of any -
 *   first token of any); inter-token latency = gaps between a client's streamed chunks.
 * - memory: 12 more distinct conversations through a server whose prefix cache is bounded (its
 *   `--prefix-cache-bytes`): the cache's bytes from /metrics and the process RSS (/proc).
 * The model (default /tmp/gemma3-1b, the random `1b` checkpoint) and its GGUF are created when absent.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { AutoTokenizer } from '@gemma3/pipeline';
import { gradientPngDataUri } from '@gemma3/test-utils';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    model: { type: 'string', default: '/tmp/gemma3-1b' },
    dtype: { type: 'string', default: 'q4' },
    clients: { type: 'string', default: '8' },
    'prompt-tokens': { type: 'string', default: '128' },
    'new-tokens': { type: 'string', default: '128' },
    'conversation-tokens': { type: 'string', default: '1000' },
    'turn-tokens': { type: 'string', default: '30' },
    'cache-dir': { type: 'string', default: '/tmp/gemma3-cli-bench/cache' },
    gguf: { type: 'string', default: '/tmp/gemma3-gguf/gemma3-1b-Q4_0.gguf' },
    'prefix-cache-bytes': { type: 'string', default: String(256 * 1024 * 1024) },
    'no-llama': { type: 'boolean', default: false },
    'mm-model': { type: 'string', default: '/tmp/gemma3-4b' },
    'no-multimodal': { type: 'boolean', default: false },
    'json-out': { type: 'string', default: '/tmp/gemma3-serving-bench.json' },
    threads: { type: 'string', default: '2' },
  },
});
const root = resolve(import.meta.dirname, '../../..');
const model = resolve(values.model as string);
const clients = Number(values.clients);
const promptTokens = Number(values['prompt-tokens']);
const newTokens = Number(values['new-tokens']);
const conversationTokens = Number(values['conversation-tokens']);
const turnTokens = Number(values['turn-tokens']);
const prefixCacheBytes = Number(values['prefix-cache-bytes']);
const work = join(tmpdir(), 'gemma3-serving-bench');
await mkdir(work, { recursive: true });
const execFileAsync = promisify(execFile);
const tsNode = ['--conditions=@gemma3/source', '--import', 'tsx'];

if (!existsSync(join(model, 'config.json'))) {
  console.error(`${model}: creating the random 1b checkpoint`);
  await execFileAsync(
    process.execPath,
    [...tsNode, join(root, 'apps/cli/src/main.ts'), 'create-random', '--preset', '1b', '--out', model],
    { cwd: root },
  );
}
const tokenizer = await AutoTokenizer.fromPretrained(model);

// ---- prompts: plain English words, cut to a token count with the model's tokenizer ----
const WORDS =
  'the a of and to in is was for on that with as by at from it his an were are which this be or has had not but its they one new first who been their also after two time more other into over only year when can most where may all would these there three about so between during years city under while later world such some well school known many since because through both being four century made part including however where national team system before several around used same each'.split(
    ' ',
  );
function text(tokens: number, seed: number): string {
  let state = seed >>> 0;
  const words: string[] = [];
  let out = '';
  while (tokenizer.encode(out, { addSpecialTokens: false }).length < tokens) {
    for (let i = 0; i < 16; i++) {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      words.push(WORDS[state % WORDS.length]!);
    }
    out = words.join(' ');
  }
  // trim back to the count (each word is about one token)
  while (tokenizer.encode(out, { addSpecialTokens: false }).length > tokens) {
    words.pop();
    out = words.join(' ');
  }
  return out;
}

// ---- our server ----
interface Server {
  child: ChildProcess;
  url: string;
}
async function startServer(extra: string[], modelDir = model): Promise<Server> {
  const args = [
    ...tsNode,
    join(root, 'apps/server/src/main.ts'),
    '--model',
    modelDir,
    '--dtype',
    values.dtype as string,
    '--port',
    '0',
    '--cache-dir',
    values['cache-dir'] as string,
    '--max-queue',
    '64',
    ...extra,
  ];
  const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
  process.once('exit', () => child.kill('SIGKILL')); // never leave a server behind
  let log = '';
  const url = await new Promise<string>((done, fail) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      const m = /listening on (http:\/\/\S+)/.exec(log);
      if (m) done(m[1]!);
    });
    child.once('exit', (code) => fail(new Error(`server exited ${code}: ${log}`)));
  });
  for (;;) {
    const health = await fetch(`${url}/health`).catch(() => undefined);
    if (health?.status === 200) break;
    if (child.exitCode !== null) throw new Error(`server exited: ${log}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  return { child, url };
}
async function stopServer(server: Server): Promise<void> {
  const exited = new Promise((r) => server.child.once('exit', r));
  server.child.kill('SIGTERM');
  await exited;
}
function rssOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)![1]) * 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}
async function metric(server: Server, name: string): Promise<number> {
  const body = await (await fetch(`${server.url}/metrics`)).text();
  const line = body.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? Number.NaN : Number(line.slice(name.length + 1));
}

interface Streamed {
  startMs: number;
  /** Arrival of each streamed text chunk, ms on the caller's clock. */
  chunkMs: number[];
  text: string;
  completionTokens: number;
  cachedTokens: number;
}
/** One streamed request; times relative to `origin`. */
async function stream(
  server: Server,
  path: string,
  body: object,
  origin: number,
  modelId = basename(model),
): Promise<Streamed> {
  const startMs = performance.now() - origin;
  const response = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      model: modelId,
      ...body,
      stream: true,
      stream_options: { include_usage: true },
      temperature: 0,
    }),
  });
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  const chunkMs: number[] = [];
  let text = '';
  let usage = { completion_tokens: 0, prompt_tokens_details: { cached_tokens: 0 } };
  let buffered = '';
  const decoder = new TextDecoder();
  for await (const part of response.body!) {
    buffered += decoder.decode(part as Uint8Array, { stream: true });
    let end = buffered.indexOf('\n\n');
    while (end >= 0) {
      const event = buffered.slice(0, end);
      buffered = buffered.slice(end + 2);
      end = buffered.indexOf('\n\n');
      const data = event.replace(/^data: /, '');
      if (data === '[DONE]') continue;
      const chunk = JSON.parse(data);
      if (chunk.usage) usage = chunk.usage;
      const piece = chunk.choices?.[0]?.delta?.content ?? chunk.choices?.[0]?.text ?? '';
      if (piece !== '') {
        chunkMs.push(performance.now() - origin);
        text += piece;
      }
    }
  }
  return {
    startMs,
    chunkMs,
    text,
    completionTokens: usage.completion_tokens,
    cachedTokens: usage.prompt_tokens_details?.cached_tokens ?? 0,
  };
}

// ---- figures of a set of clients ----
interface ClientTimes {
  startMs: number;
  tokenMs: number[];
  tokens: number;
}
function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
function figures(cs: ClientTimes[]) {
  const firsts = cs.map((c) => c.tokenMs[0]!);
  const lasts = cs.map((c) => c.tokenMs[c.tokenMs.length - 1]!);
  const gaps = cs.flatMap((c) =>
    c.tokenMs.slice(1).map((t, i) => (t - c.tokenMs[i]!) * (c.tokenMs.length / c.tokens)),
  );
  const decoded = cs.reduce((s, c) => s + c.tokens - 1, 0);
  return {
    ttftMsMedian: median(cs.map((c) => c.tokenMs[0]! - c.startMs)),
    aggregateDecodeTokensPerSecond: (decoded * 1000) / (Math.max(...lasts) - Math.min(...firsts)),
    perClientDecodeTokensPerSecond: median(
      cs.map((c, i) => ((c.tokens - 1) * 1000) / (lasts[i]! - firsts[i]!)),
    ),
    interTokenMsP50: median(gaps),
    tokens: cs.reduce((s, c) => s + c.tokens, 0),
  };
}

// ---- inputs ----
const conversations = [0, 1, 2].map((i) => ({
  user1: text(conversationTokens, 100 + i),
  user2: text(turnTokens, 200 + i),
}));
const clientPrompts = Array.from({ length: clients }, (_, i) => text(promptTokens - 1, 300 + i));

const load = () => loadavg()[0]!.toFixed(2);
const report: Record<string, unknown> = {
  model,
  dtype: values.dtype,
  threads: values.threads,
  date: new Date().toISOString(),
};
console.error(`[serving] load ${load()}: starting our server (--parallel ${clients})`);

// ---- ours: prefix reuse, then concurrency ----
const server = await startServer([
  '--parallel',
  String(clients),
  '--prefix-cache-bytes',
  String(prefixCacheBytes),
]);
const prefixOurs: { ttft1Ms: number; ttft2Ms: number; cachedTokens: number; promptTokens2: number }[] = [];
// warm-up: a long chat (the prefill graph's first runs size its buffers), then a short prompt
await stream(
  server,
  '/v1/chat/completions',
  { messages: [{ role: 'user', content: text(conversationTokens, 99) }], max_tokens: 4 },
  performance.now(),
);
await stream(server, '/v1/completions', { prompt: 'warm up', max_tokens: 4 }, performance.now());
for (const c of conversations) {
  const origin = performance.now();
  const m1 = [{ role: 'user', content: c.user1 }];
  const first = await stream(
    server,
    '/v1/chat/completions',
    { messages: m1, max_tokens: turnTokens },
    origin,
  );
  const m2 = [...m1, { role: 'assistant', content: first.text }, { role: 'user', content: c.user2 }];
  const second = await stream(
    server,
    '/v1/chat/completions',
    { messages: m2, max_tokens: turnTokens },
    origin,
  );
  prefixOurs.push({
    ttft1Ms: first.chunkMs[0]! - first.startMs,
    ttft2Ms: second.chunkMs[0]! - second.startMs,
    cachedTokens: second.cachedTokens,
    promptTokens2: tokenizer.applyChatTemplate(m2, { addGenerationPrompt: true, tokenize: true }).length,
  });
}
console.error(`[serving] load ${load()}: prefix ${JSON.stringify(prefixOurs)}`);

const asClient = (s: Streamed): ClientTimes => ({
  startMs: s.startMs,
  tokenMs: s.chunkMs,
  tokens: s.completionTokens,
});
const aloneOurs = asClient(
  await stream(
    server,
    '/v1/completions',
    { prompt: clientPrompts[0], max_tokens: newTokens },
    performance.now(),
  ),
);
const origin = performance.now();
const togetherOurs = (
  await Promise.all(
    clientPrompts.map((p) => stream(server, '/v1/completions', { prompt: p, max_tokens: newTokens }, origin)),
  )
).map(asClient);
const batchRows =
  (await metric(server, 'gemma3_batch_decode_rows_total')) /
  (await metric(server, 'gemma3_batch_decode_steps_total'));
const rssAfterConcurrent = rssOf(server.child.pid!);
console.error(
  `[serving] load ${load()}: concurrent done (mean rows per decode step ${batchRows.toFixed(2)})`,
);

// ---- ours: memory with the prefix cache full ----
const memory: { conversation: number; cacheBytes: number; rssBytes: number }[] = [];
for (let i = 0; i < 12; i++) {
  await stream(
    server,
    '/v1/chat/completions',
    { messages: [{ role: 'user', content: text(conversationTokens, 400 + i) }], max_tokens: 4 },
    performance.now(),
  );
  memory.push({
    conversation: i + 1,
    cacheBytes: await metric(server, 'gemma3_prefix_cache_bytes'),
    rssBytes: rssOf(server.child.pid!).rss,
  });
}
const evictions = await metric(server, 'gemma3_prefix_cache_evictions_total');
const peak = rssOf(server.child.pid!).peak;
await stopServer(server);

const oursPrefix = {
  ttft1MsMedian: median(prefixOurs.map((p) => p.ttft1Ms)),
  ttft2MsMedian: median(prefixOurs.map((p) => p.ttft2Ms)),
  ratio: median(prefixOurs.map((p) => p.ttft2Ms / p.ttft1Ms)),
  runs: prefixOurs,
};
report.ours = {
  engine: `ours (gemma3-server --dtype ${values.dtype} --parallel ${clients})`,
  prefix: oursPrefix,
  alone: figures([aloneOurs]),
  together: figures(togetherOurs),
  meanRowsPerDecodeStep: batchRows,
  rssAfterConcurrentBytes: rssAfterConcurrent.rss,
  memory: { prefixCacheMaxBytes: prefixCacheBytes, evictions, peakRssBytes: peak, samples: memory },
};

// ---- llama.cpp ----
if (!values['no-llama']) {
  const gguf = values.gguf as string;
  if (!existsSync(gguf)) {
    console.error(`${gguf}: converting (Q4_0)`);
    await execFileAsync(
      process.execPath,
      [
        ...tsNode,
        join(root, 'packages/gguf/bench/bench.ts'),
        '--model',
        model,
        '--types',
        'Q4_0',
        '--runs',
        '1',
        '--out-dir',
        resolve(gguf, '..'),
      ],
      { cwd: root, maxBuffer: 64 << 20 },
    );
  }
  // turn 1 as rendered text; llama.cpp tokenizes it, and turn 2 with its own answer, as a server would
  const input = {
    conversations: conversations.map((c) => ({
      turn1: tokenizer.applyChatTemplate([{ role: 'user', content: c.user1 }], {
        addGenerationPrompt: true,
      }) as string,
      turn2Suffix: `<end_of_turn>\n<start_of_turn>user\n${c.user2}<end_of_turn>\n<start_of_turn>model\n`,
    })),
    turnTokens,
    clients: clientPrompts.map((p) => tokenizer.encode(p)),
    newTokens,
  };
  const inputFile = join(work, 'llama-input.json');
  await writeFile(inputFile, JSON.stringify(input));
  console.error(`[serving] load ${load()}: llama.cpp`);
  const { stdout } = await execFileAsync(
    process.execPath,
    [
      '--import',
      'tsx',
      join(root, 'packages/gguf/bench/serving-llama-cpp.ts'),
      '--gguf',
      gguf,
      '--input',
      inputFile,
      '--threads',
      values.threads as string,
    ],
    { cwd: join(root, 'packages/gguf'), maxBuffer: 64 << 20 },
  );
  const out = JSON.parse(stdout.trim().split('\n').pop()!) as {
    engine: string;
    prefix: { ttft1Ms: number; ttft2Ms: number; reusedTokens: number }[];
    alone: { startMs: number; tokenMs: number[] };
    together: { startMs: number; tokenMs: number[] }[];
    peakRssBytes: number;
  };
  const times = (c: { startMs: number; tokenMs: number[] }): ClientTimes => ({
    ...c,
    tokens: c.tokenMs.length,
  });
  report.llamaCpp = {
    engine: out.engine,
    prefix: {
      ttft1MsMedian: median(out.prefix.map((p) => p.ttft1Ms)),
      ttft2MsMedian: median(out.prefix.map((p) => p.ttft2Ms)),
      ratio: median(out.prefix.map((p) => p.ttft2Ms / p.ttft1Ms)),
      runs: out.prefix,
    },
    alone: figures([times(out.alone)]),
    together: figures(out.together.map(times)),
    peakRssBytes: out.peakRssBytes,
  };
}
// ---- 4b image chat: turn 2 with the same image (ours; llama.cpp's image path is not reachable here) ----
const mmModel = resolve(values['mm-model'] as string);
if (!values['no-multimodal']) {
  if (!existsSync(join(mmModel, 'config.json'))) {
    console.error(`${mmModel}: creating the random 4b checkpoint (8.6 GB)`);
    await execFileAsync(
      process.execPath,
      [...tsNode, join(root, 'apps/cli/src/main.ts'), 'create-random', '--preset', '4b', '--out', mmModel],
      { cwd: root, maxBuffer: 64 << 20 },
    );
  }
  console.error(`[serving] load ${load()}: 4b image chat`);
  const mm = await startServer(['--parallel', '1'], mmModel);
  const id = basename(mmModel);
  const image = { type: 'image_url', image_url: { url: gradientPngDataUri(640, 480) } };
  const turns: { ttftMs: number; cachedTokens: number; imageEncodes: number }[] = [];
  let messages: object[] = [
    { role: 'user', content: [image, { type: 'text', text: 'What is shown in this picture?' }] },
  ];
  for (const next of ['And which colours does it use?', 'Describe it once more, briefly.']) {
    const before = await metric(mm, 'gemma3_image_cache_misses_total');
    const out = await stream(
      mm,
      '/v1/chat/completions',
      { messages, max_tokens: turnTokens },
      performance.now(),
      id,
    );
    turns.push({
      ttftMs: out.chunkMs[0]! - out.startMs,
      cachedTokens: out.cachedTokens,
      imageEncodes: (await metric(mm, 'gemma3_image_cache_misses_total')) - before,
    });
    messages = [...messages, { role: 'assistant', content: out.text }, { role: 'user', content: next }];
  }
  report.multimodal = { model: mmModel, dtype: values.dtype, turns, peakRssBytes: rssOf(mm.child.pid!).peak };
  await stopServer(mm);
  console.error(`[serving] 4b image chat: ${JSON.stringify(turns)}`);
}
report.loadAtEnd = load();

// ---- table ----
type Side = {
  prefix: typeof oursPrefix;
  alone: ReturnType<typeof figures>;
  together: ReturnType<typeof figures>;
};
const sides = [report.ours as Side, report.llamaCpp as Side | undefined].filter(
  (s): s is Side => s !== undefined,
);
const row = (name: string, f: (s: Side) => number, digits = 1) =>
  `| ${name} | ${sides.map((s) => f(s).toFixed(digits)).join(' | ')} |`;
console.log(
  `| ${clients} clients, ${promptTokens}-token prompts, ${newTokens} new tokens | ours${sides.length > 1 ? ' | llama.cpp' : ''} |`,
);
console.log(`| --- | ---:${sides.length > 1 ? ' | ---:' : ''} |`);
console.log(row('turn 1 TTFT (~1000-token chat), ms', (s) => s.prefix.ttft1MsMedian, 0));
console.log(row('turn 2 TTFT (+30 tokens), ms', (s) => s.prefix.ttft2MsMedian, 0));
console.log(row('turn 2 / turn 1 TTFT', (s) => s.prefix.ratio, 3));
console.log(row('one client: decode tok/s', (s) => s.alone.perClientDecodeTokensPerSecond));
console.log(
  row(`${clients} clients: aggregate decode tok/s`, (s) => s.together.aggregateDecodeTokensPerSecond),
);
console.log(
  row(
    'aggregate / one client',
    (s) => s.together.aggregateDecodeTokensPerSecond / s.alone.perClientDecodeTokensPerSecond,
    2,
  ),
);
console.log(row('one client: inter-token p50, ms', (s) => s.alone.interTokenMsP50));
console.log(row(`${clients} clients: inter-token p50, ms`, (s) => s.together.interTokenMsP50));
console.log(row('inter-token p50 ratio', (s) => s.together.interTokenMsP50 / s.alone.interTokenMsP50, 2));
console.log(row(`${clients} clients: TTFT median, ms`, (s) => s.together.ttftMsMedian, 0));
const mem = (
  report.ours as { memory: { samples: { cacheBytes: number; rssBytes: number }[]; evictions: number } }
).memory;
console.log(
  `\nprefix cache bound ${(prefixCacheBytes / 2 ** 20).toFixed(0)} MiB: cache ${mem.samples.map((s) => (s.cacheBytes / 2 ** 20).toFixed(0)).join(', ')} MiB; RSS ${mem.samples.map((s) => (s.rssBytes / 2 ** 20).toFixed(0)).join(', ')} MiB; evictions ${mem.evictions}`,
);
await writeFile(values['json-out'] as string, `${JSON.stringify(report, null, 2)}\n`);
console.error(`[serving] JSON: ${values['json-out']}`);
