/**
 * Where a decode step's time goes: loads a checkpoint as `gemma3 bench` does (pipeline options), runs a
 * prompt and greedy decode with onnxruntime's profiler on, and sums the profile's node events per op
 * type (and per kernel where onnxruntime names one) for the prompt's runs and the decode steps apart.
 *
 *   node --conditions=@gemma3/source --import tsx tools/bench/decode-profile.ts \
 *     [--model /tmp/gemma3-1b] [--dtype q4|q8|fp32] [--block-size 32] [--prompt-tokens 128] \
 *     [--new-tokens 64] [--threads 2] [--cache-dir /tmp/gemma3-cli-bench/cache]
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { AutoModel } from '../../packages/pipeline/src/index.js';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    model: { type: 'string', default: '/tmp/gemma3-1b' },
    dtype: { type: 'string', default: 'q4' },
    'block-size': { type: 'string' },
    'prompt-tokens': { type: 'string', default: '128' },
    'new-tokens': { type: 'string', default: '64' },
    threads: { type: 'string', default: '2' },
    'cache-dir': { type: 'string', default: '/tmp/gemma3-cli-bench/cache' },
    top: { type: 'string', default: '25' },
  },
});

interface TraceEvent {
  cat: string;
  name: string;
  dur: number;
  args?: { op_name?: string; provider?: string };
}

const profileDir = await mkdtemp(join(tmpdir(), 'gemma3-profile-'));
const dtype = values.dtype as 'q4' | 'q8' | 'fp32';
const blockSize =
  values['block-size'] === undefined ? undefined : (Number(values['block-size']) as 16 | 32 | 64 | 128 | 256);
const model = await AutoModel.fromFolder(values.model as string, {
  dtype,
  ...(blockSize === undefined ? {} : { quantization: { blockSize } }),
  cacheDir: values['cache-dir'] as string,
  kind: 'text',
  session: { intraOpThreads: Number(values.threads), profileFilePrefix: join(profileDir, 'run') },
});
if ('details' in model) throw new Error('expected a text model');
const promptTokens = Number(values['prompt-tokens']);
const newTokens = Number(values['new-tokens']);
const ids = Array.from({ length: promptTokens }, (_, i) => 3 + ((i * 7919) % 200_000));
const stamps: number[] = [];
const started = performance.now();
await model.generate({
  inputIds: [ids],
  maxNewTokens: newTokens,
  minNewTokens: newTokens,
  doSample: false,
  streamer: { onTokens: () => void stamps.push(performance.now()) },
});
const decodeMs = (stamps.at(-1)! - stamps[0]!) / (newTokens - 1);
console.log(
  `${dtype}${blockSize ? ` b${blockSize}` : ''}: TTFT ${(stamps[0]! - started).toFixed(0)} ms, decode ${decodeMs.toFixed(1)} ms/token (profiling on)`,
);
await model.dispose();

// One trace per session (a q4 build has a prefill graph and a decode graph).
for (const file of (await readdir(profileDir)).sort()) {
  const events = JSON.parse(await readFile(join(profileDir, file), 'utf8')) as TraceEvent[];
  const runs = events.filter((e) => e.cat === 'Session' && e.name === 'model_run');
  const nodes = events.filter((e) => e.cat === 'Node' && e.name.endsWith('_kernel_time'));
  const perOp = new Map<string, { us: number; count: number }>();
  for (const e of nodes) {
    const key = e.args?.op_name ?? '?';
    const entry = perOp.get(key) ?? { us: 0, count: 0 };
    entry.us += e.dur;
    entry.count += 1;
    perOp.set(key, entry);
  }
  const runUs = runs.reduce((s, e) => s + e.dur, 0);
  const nodeUs = nodes.reduce((s, e) => s + e.dur, 0);
  console.log(
    `\n${file}: ${runs.length} runs, ${(runUs / runs.length / 1000).toFixed(2)} ms per run; node kernels ${(nodeUs / runs.length / 1000).toFixed(2)} ms per run (${((100 * nodeUs) / runUs).toFixed(0)}%), ${(nodes.length / runs.length).toFixed(0)} nodes per run`,
  );
  const rows = [...perOp.entries()].sort((a, b) => b[1].us - a[1].us).slice(0, Number(values.top));
  for (const [op, { us, count }] of rows) {
    console.log(
      `  ${op.padEnd(36)} ${(us / runs.length / 1000).toFixed(3).padStart(8)} ms/run  ${((100 * us) / runUs).toFixed(1).padStart(5)}%  ${(count / runs.length).toFixed(0).padStart(5)} nodes/run`,
    );
  }
}
await rm(profileDir, { recursive: true, force: true });
