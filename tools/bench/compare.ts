/**
 * Issue 8's side-by-side: our engine (ONNX, q4 / q8) against llama.cpp (Q4_0 / Q8_0) and transformers.js
 * 4.3.2 (on our q4 export, tools/bench/transformers-js.ts) on the same random checkpoint, in one run,
 * printed as ratios. Each side runs in its own child process (so peak RSS is its
 * own), one after another; with --runs N > 1 the order alternates per round and medians are reported.
 *
 *   node --conditions=@gemma3/source --import tsx tools/bench/compare.ts [--model DIR] [--quick]
 *     [--runs N] [--cache-dir DIR] [--gguf-dir DIR] [--tjs-dir DIR] [--no-tjs] [--json-out FILE]
 *     [--mm-model DIR] [--no-multimodal]
 *
 * --quick: q4 vs Q4_0 (and transformers.js q4) only, no 1024-token prompt on our side, no multimodal.
 * --no-tjs: leave transformers.js out.
 * After the 1b table, the 4b multimodal path (tools/bench/multimodal.ts on --mm-model, default
 * /tmp/gemma3-4b, created with the `4b` preset when absent: 8.6 GB): vision encode per image, prefill
 * with one image, time to first token, decode; ours only (llama.cpp's image path is not reachable
 * through node-llama-cpp). --no-multimodal leaves it out.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs, promisify } from 'node:util';

const run = promisify(execFile);
const { values } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: {
    model: { type: 'string', default: '/tmp/gemma3-1b' },
    quick: { type: 'boolean', default: false },
    runs: { type: 'string', default: '1' },
    threads: { type: 'string', default: '2' },
    'cache-dir': { type: 'string', default: '/tmp/gemma3-cli-bench/cache' },
    'gguf-dir': { type: 'string', default: '/tmp/gemma3-gguf' },
    'tjs-dir': { type: 'string', default: '/tmp/gemma3-tjs-1b' },
    'no-tjs': { type: 'boolean', default: false },
    /** Our q4 block size; default: the one a user gets (32, as Q4_0's). */
    'block-size': { type: 'string' },
    'mm-model': { type: 'string', default: '/tmp/gemma3-4b' },
    'no-multimodal': { type: 'boolean', default: false },
    'json-out': { type: 'string', default: '/tmp/gemma3-bench-compare.json' },
  },
});
const root = resolve(import.meta.dirname, '../..');
const model = resolve(values.model as string);
const threads = values.threads as string;
const rounds = Math.max(1, Number(values.runs));
const quick = values.quick as boolean;
const tsNode = [
  ...process.execArgv.filter((a) => !a.startsWith('--conditions')),
  '--conditions=@gemma3/source',
];
const cli = join(root, 'apps/cli/src/main.ts');

/** Runs a node script in a child process and returns the JSON object it printed last. */
async function node(args: string[]): Promise<Record<string, unknown>> {
  const { stdout } = await run(process.execPath, [...tsNode, ...args], {
    cwd: root,
    maxBuffer: 64 * 1024 * 1024,
  });
  const start = stdout.lastIndexOf('\n{');
  return JSON.parse(stdout.slice(start + 1)) as Record<string, unknown>;
}

type Side = {
  engine: string;
  variant: string;
  /** Building/converting from the safetensors into an empty cache, then loading (ours only). */
  coldLoadMs?: number | null;
  loadMs: number;
  timeToFirstTokenMs: number;
  prefill128: number;
  prefill1024: number | null;
  decode128: number;
  /** Decode of 128 new tokens after the 1024-token prompt. */
  decode1k?: number | null;
  peakRssBytes: number;
};
type Measured = { side: Side; loadBefore: number[]; loadAfter: number[]; startedAt: string };

async function ours(dtype: 'q4' | 'q8'): Promise<Side> {
  const bench = async (promptTokens: number, cold = false) =>
    (await node([
      cli,
      'bench',
      '--model',
      model,
      '--dtype',
      dtype,
      ...(dtype === 'q4' && values['block-size'] !== undefined
        ? ['--block-size', values['block-size'] as string]
        : []),
      '--prompt-tokens',
      String(promptTokens),
      '--new-tokens',
      cold ? '2' : '128',
      '--threads',
      threads,
      ...(cold ? ['--cold', '--no-warmup'] : ['--cache-dir', values['cache-dir'] as string]),
      '--json',
    ])) as {
      load: { total_ms: number };
      time_to_first_token_ms: number;
      prefill_tokens_per_second: number;
      decode_tokens_per_second: number;
      peak_rss_bytes: number;
      block_size: number | null;
      linear_kernel: string | null;
      prefill: string | null;
    };
  const cold = quick ? null : await bench(8, true);
  const short = await bench(128);
  const long = quick ? null : await bench(1024);
  return {
    engine: 'ours (onnxruntime-node)',
    variant:
      short.linear_kernel === 'DynamicQuantizeMatMul' || short.linear_kernel === 'MatMulInteger'
        ? `${dtype} int8 ${short.linear_kernel}`
        : `${dtype} b${short.block_size ?? 32}${short.prefill === 'int8' ? ' + int8 prefill' : ''}`,
    coldLoadMs: cold?.load.total_ms ?? null,
    loadMs: short.load.total_ms,
    timeToFirstTokenMs: short.time_to_first_token_ms,
    prefill128: short.prefill_tokens_per_second,
    prefill1024: long?.prefill_tokens_per_second ?? null,
    decode128: short.decode_tokens_per_second,
    decode1k: long?.decode_tokens_per_second ?? null,
    peakRssBytes: short.peak_rss_bytes,
  };
}

async function llamaCpp(type: 'Q4_0' | 'Q8_0'): Promise<Side> {
  const out = (await node([
    join(root, 'packages/gguf/bench/bench.ts'),
    '--model',
    model,
    '--types',
    type,
    '--runs',
    '1',
    '--threads',
    threads,
    '--out-dir',
    values['gguf-dir'] as string,
  ])) as {
    results: {
      loadMs: number;
      timeToFirstTokenMs: number;
      prefill128TokensPerSecond: number;
      prefill1024TokensPerSecond: number;
      decodeTokensPerSecond: number;
      decode1kTokensPerSecond: number | null;
      peakRssBytes: number;
    }[];
  };
  const r = out.results[0]!;
  return {
    engine: 'llama.cpp (node-llama-cpp 3.21.1)',
    variant: type,
    loadMs: r.loadMs,
    timeToFirstTokenMs: r.timeToFirstTokenMs,
    prefill128: r.prefill128TokensPerSecond,
    prefill1024: r.prefill1024TokensPerSecond,
    decode128: r.decodeTokensPerSecond,
    decode1k: r.decode1kTokensPerSecond ?? null,
    peakRssBytes: r.peakRssBytes,
  };
}

/** transformers.js 4.3.2 on our q4 b128 export (the same block size as our q4 row). */
async function transformersJs(): Promise<Side> {
  const out = (await node([
    join(root, 'tools/bench/transformers-js.ts'),
    '--model',
    model,
    '--dtype',
    'q4',
    '--block-size',
    '128',
    '--threads',
    threads,
    '--out-dir',
    values['tjs-dir'] as string,
  ])) as Side;
  return {
    engine: out.engine,
    variant: out.variant,
    loadMs: out.loadMs,
    timeToFirstTokenMs: out.timeToFirstTokenMs,
    prefill128: out.prefill128,
    prefill1024: out.prefill1024,
    decode128: out.decode128,
    decode1k: out.decode1k ?? null,
    peakRssBytes: out.peakRssBytes,
  };
}

async function measure(fn: () => Promise<Side>): Promise<Measured> {
  const startedAt = new Date().toISOString();
  const loadBefore = loadavg();
  const side = await fn();
  const loadAfter = loadavg();
  console.error(
    `${startedAt} ${side.engine} ${side.variant}: load ${loadBefore[0]!.toFixed(2)} -> ${loadAfter[0]!.toFixed(2)}`,
  );
  return { side, loadBefore, loadAfter, startedAt };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const combine = (ms: Measured[]): Side => {
  const pick = (f: (s: Side) => number | null) => {
    const xs = ms.map((m) => f(m.side)).filter((x): x is number => x !== null);
    return xs.length ? median(xs) : null;
  };
  return {
    ...ms[0]!.side,
    coldLoadMs: pick((s) => s.coldLoadMs ?? null),
    loadMs: pick((s) => s.loadMs)!,
    timeToFirstTokenMs: pick((s) => s.timeToFirstTokenMs)!,
    prefill128: pick((s) => s.prefill128)!,
    prefill1024: pick((s) => s.prefill1024),
    decode128: pick((s) => s.decode128)!,
    decode1k: pick((s) => s.decode1k ?? null),
    peakRssBytes: pick((s) => s.peakRssBytes)!,
  };
};

if (!existsSync(join(model, 'config.json'))) {
  console.error(`${model}: no checkpoint, creating the random 1b one`);
  await run(process.execPath, [...tsNode, cli, 'create-random', '--preset', '1b', '--out', model], {
    cwd: root,
  });
}

const pairs = (
  quick
    ? [['q4', 'Q4_0']]
    : [
        ['q4', 'Q4_0'],
        ['q8', 'Q8_0'],
      ]
) as ['q4' | 'q8', 'Q4_0' | 'Q8_0'][];
const withTjs = !(values['no-tjs'] as boolean);
const measured = pairs.map(() => ({
  ours: [] as Measured[],
  llama: [] as Measured[],
  tjs: [] as Measured[],
}));
for (let round = 0; round < rounds; round++) {
  for (const [i, [dtype, type]] of pairs.entries()) {
    const sides = [
      async () => measured[i]!.ours.push(await measure(() => ours(dtype))),
      async () => measured[i]!.llama.push(await measure(() => llamaCpp(type))),
      ...(withTjs && dtype === 'q4'
        ? [async () => measured[i]!.tjs.push(await measure(transformersJs))]
        : []),
    ];
    if (round % 2 === 1) sides.reverse();
    for (const side of sides) await side();
  }
}

const f = (x: number | null, d = 1) => (x === null ? '-' : x.toFixed(d));
const ratio = (a: number | null, b: number | null) =>
  a === null || b === null ? '-' : `${(a / b).toFixed(2)}x`;
const lines = [
  '| engine | variant | load (cold) | load | TTFT (128) | prefill 128 | prefill 1024 | decode 128 | decode 128 at 1k | peak RSS |',
  '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
];
const sideRow = (s: Side) =>
  `| ${s.engine} | ${s.variant} | ${s.coldLoadMs == null ? '-' : `${f(s.coldLoadMs / 1000, 1)} s`} | ${f(s.loadMs / 1000, 1)} s | ${f(s.timeToFirstTokenMs, 0)} ms | ${f(s.prefill128)} tok/s | ${f(s.prefill1024)} tok/s | ${f(s.decode128)} tok/s | ${f(s.decode1k ?? null)} tok/s | ${f(s.peakRssBytes / 1e9, 2)} GB |`;
const ratioRow = (label: string, a: Side, b: Side) =>
  `| **${label}** | ${a.variant} / ${b.variant} | | ${ratio(a.loadMs, b.loadMs)} (lower better) | ${ratio(a.timeToFirstTokenMs, b.timeToFirstTokenMs)} (lower better) | **${ratio(a.prefill128, b.prefill128)}** | ${ratio(a.prefill1024, b.prefill1024)} | **${ratio(a.decode128, b.decode128)}** | ${ratio(a.decode1k ?? null, b.decode1k ?? null)} | ${ratio(a.peakRssBytes, b.peakRssBytes)} (lower better) |`;
const rows = measured.map((m) => ({
  ours: combine(m.ours),
  llama: combine(m.llama),
  tjs: m.tjs.length > 0 ? combine(m.tjs) : undefined,
}));
for (const { ours: o, llama: l, tjs: t } of rows) {
  lines.push(sideRow(o), sideRow(l), ratioRow('ours / llama.cpp', o, l));
  if (t) lines.push(sideRow(t), ratioRow('ours / transformers.js', o, t));
}
console.log(lines.join('\n'));
const json = JSON.stringify({ model, threads: Number(threads), rounds, quick, rows, measured }, null, 2);
await writeFile(values['json-out'] as string, json);
console.log(`\nJSON: ${values['json-out']}`);

if (!quick && !(values['no-multimodal'] as boolean)) {
  const mmModel = resolve(values['mm-model'] as string);
  if (!existsSync(join(mmModel, 'config.json'))) {
    console.error(`${mmModel}: no checkpoint, creating the random 4b one (8.6 GB)`);
    await run(process.execPath, [...tsNode, cli, 'create-random', '--preset', '4b', '--out', mmModel], {
      cwd: root,
    });
  }
  const mmJson = (values['json-out'] as string).replace(/(\.json)?$/, '-multimodal.json');
  console.error(`${new Date().toISOString()} multimodal 4b (tools/bench/multimodal.ts) ...`);
  const { stdout } = await run(
    process.execPath,
    [
      ...tsNode,
      join(root, 'tools/bench/multimodal.ts'),
      '--model',
      mmModel,
      '--threads',
      threads,
      '--json-out',
      mmJson,
    ],
    { cwd: root, maxBuffer: 64 * 1024 * 1024 },
  );
  // Its markdown tables (the JSON, its last line, is in mmJson).
  console.log(`\n${stdout.slice(0, stdout.lastIndexOf('\n{')).trim()}\n\nJSON: ${mmJson}`);
}
