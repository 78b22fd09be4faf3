/**
 * Accuracy of each quantized variant against the fp32 logits of the same checkpoint on the same token
 * ids (issue 16): ours (fp32, q8, q4 with blocks of 32 and 128, and experiments) and llama.cpp's GGUF
 * files of the same checkpoint (F32, Q8_0, Q4_0). Per variant: top-1 agreement with fp32 over every
 * position of S teacher-forced sequences of T tokens, mean and max KL(fp32 || variant) in nats, mean
 * |log-prob difference| over the vocabulary, mean |logit difference| where raw logits exist, and the
 * fp32 distributions' own entropy for scale.
 *
 *   pnpm --filter @gemma3/gguf bench:accuracy [-- --model /tmp/gemma3-1b --sequences 4 --length 256
 *     --variants default|all|NAME,... --json-out FILE]
 *
 * The fp32 reference runs first (our fp32 path, which matches Hugging Face within 1e-4) and writes every
 * position's logits to a file ([S, T, V] float32, 1 GiB for 4 x 256); every other variant then runs in a
 * child process of its own (fp32 1B is ~4 GB of weights) and compares position by position. Token ids:
 * `benchPromptIds(T, seed)` for seeds 1..S (BOS 2, then ordinary ids), fed as ids to both engines.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { convertToGguf, type GgufFileType, loadGemma3Vocab } from '../src/index.js';
import { type LlamaCppJob, type LlamaCppResult, measureLlamaCpp } from './accuracy-llama-cpp.js';
import type { AgreementStats } from './accuracy-metrics.js';
import { measureOurs, type OursJob, type OursMode, type OursResult } from './accuracy-ours.js';
import { benchPromptIds } from './measure-llama-cpp.js';

interface OursVariant {
  readonly engine: 'ours';
  readonly name: string;
  readonly options: OursJob['options'];
  readonly modes: readonly OursMode[];
}

interface LlamaCppVariant {
  readonly engine: 'llama.cpp';
  readonly name: string;
  readonly type: GgufFileType;
  readonly chunk: number;
}

type Variant = OursVariant | LlamaCppVariant;

/** What a user gets: the defaults (q8; q4 with blocks of 32 and 128, int8 prefill graph) and llama.cpp's files. */
const DEFAULT_VARIANTS: readonly Variant[] = [
  { engine: 'llama.cpp', name: 'llama.cpp F32', type: 'F32', chunk: 32 },
  { engine: 'ours', name: 'q8', options: { dtype: 'q8' }, modes: ['forward', 'decode'] },
  { engine: 'llama.cpp', name: 'llama.cpp Q8_0', type: 'Q8_0', chunk: 32 },
  // q4: 8-bit embedding / LM head by default, as llama.cpp's Q4_0 files (the pipeline's choice)
  { engine: 'ours', name: 'q4 b32', options: { dtype: 'q4' }, modes: ['forward', 'decode', 'generate'] },
  {
    engine: 'ours',
    name: 'q4 b128',
    options: { dtype: 'q4', quantization: { blockSize: 128 } },
    modes: ['forward', 'decode', 'generate'],
  },
  { engine: 'llama.cpp', name: 'llama.cpp Q4_0', type: 'Q4_0', chunk: 32 },
];

/**
 * Q4_0 token by token (as llama.cpp generates), and other settings of ours (one graph: prefill 'same',
 * forward mode only): the 4-bit embedding / LM head that q4 had before it kept them at 8 bits as
 * llama.cpp's Q4_0 file does (packages/gguf README), fp32 activations, a float32 head.
 */
const EXPERIMENTS: readonly Variant[] = [
  { engine: 'llama.cpp', name: 'llama.cpp Q4_0 (token by token)', type: 'Q4_0', chunk: 1 },
  {
    engine: 'ours',
    name: 'q4 b32 + 4-bit embedding/LM head',
    options: { dtype: 'q4', modules: { embedding: 'q4', lmHead: 'q4' }, prefill: 'same' },
    modes: ['forward'],
  },
  {
    engine: 'ours',
    name: 'q4 b128 + 4-bit embedding/LM head',
    options: {
      dtype: 'q4',
      quantization: { blockSize: 128 },
      modules: { embedding: { blockSize: 128 }, lmHead: { blockSize: 128 } },
      prefill: 'same',
    },
    modes: ['forward'],
  },
  {
    engine: 'ours',
    name: 'q4 b32 accuracy level 1 (fp32 activations)',
    options: { dtype: 'q4', quantization: { accuracyLevel: 1 }, prefill: 'same' },
    modes: ['forward'],
  },
  {
    engine: 'ours',
    name: 'q4 b32 + fp32 embedding/LM head',
    options: { dtype: 'q4', modules: { embedding: 'fp32', lmHead: 'fp32' }, prefill: 'same' },
    modes: ['forward'],
  },
];

const { values } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: {
    model: { type: 'string', default: '/tmp/gemma3-1b' },
    sequences: { type: 'string', default: '4' },
    length: { type: 'string', default: '256' },
    'prompt-length': { type: 'string', default: '128' },
    variants: { type: 'string', default: 'all' },
    threads: { type: 'string', default: '2' },
    'cache-dir': { type: 'string', default: '/tmp/gemma3-cli-bench/cache' },
    'gguf-dir': { type: 'string', default: '/tmp/gemma3-gguf' },
    'work-dir': { type: 'string', default: '/tmp/gemma3-accuracy' },
    'reuse-reference': { type: 'boolean', default: false },
    'no-fp32-decode': { type: 'boolean', default: false },
    'json-out': { type: 'string' },
    child: { type: 'string' },
    job: { type: 'string' },
  },
});

if (values.child !== undefined) {
  // child: one variant, its JSON on the last line of stdout
  const job = JSON.parse(await readFile(values.job as string, 'utf8'));
  const result =
    values.child === 'ours' ? await measureOurs(job as OursJob) : await measureLlamaCpp(job as LlamaCppJob);
  console.log(JSON.stringify(result));
  process.exit(0);
}

const self = fileURLToPath(import.meta.url);
const model = resolve(values.model as string);
const S = Number(values.sequences);
const T = Number(values.length);
const P = Number(values['prompt-length']);
const threads = Number(values.threads);
const workDir = values['work-dir'] as string;
const ggufDir = values['gguf-dir'] as string;
if (!existsSync(join(model, 'config.json'))) {
  console.error(
    `${model}: no checkpoint. Create one: node --conditions=@gemma3/source --import tsx apps/cli/src/main.ts create-random --preset 1b --out ${model}`,
  );
  process.exit(1);
}
if (!(P >= 2 && P < T)) throw new RangeError(`--prompt-length must be in 2..${T - 1}, got ${P}`);
const config = JSON.parse(await readFile(join(model, 'config.json'), 'utf8'));
const vocabSize: number = config.vocab_size ?? config.text_config?.vocab_size;
const ids = Array.from({ length: S }, (_, s) => benchPromptIds(T, s + 1));
const selection = values.variants as string;
const variants: Variant[] =
  selection === 'all'
    ? [...DEFAULT_VARIANTS, ...EXPERIMENTS]
    : selection === 'default'
      ? [...DEFAULT_VARIANTS]
      : selection.split(',').map((name) => {
          const found = [...DEFAULT_VARIANTS, ...EXPERIMENTS].find((v) => v.name === name.trim());
          if (!found) throw new RangeError(`unknown variant "${name}"`);
          return found;
        });

await mkdir(workDir, { recursive: true });
const referencePath = join(workDir, `${basename(model)}-fp32-S${S}-T${T}.f32`);

/** Runs this file as a child on `job` and returns the JSON it printed last. */
async function child<R>(kind: 'ours' | 'llama', job: object): Promise<R> {
  const jobPath = join(workDir, `job-${process.pid}.json`);
  await writeFile(jobPath, JSON.stringify(job));
  const proc = spawn(process.execPath, [...process.execArgv, self, '--child', kind, '--job', jobPath], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  proc.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  const code = await new Promise<number | null>((done) => proc.on('close', done));
  await rm(jobPath, { force: true });
  if (code !== 0) throw new Error(`${kind} child exited with ${code}`);
  return JSON.parse(stdout.trim().split('\n').at(-1) as string) as R;
}

interface Row {
  readonly variant: string;
  readonly engine: 'ours' | 'llama.cpp';
  readonly how: string;
  readonly firstPosition: number;
  readonly stats: AgreementStats;
  /** Positions promptLength - 1 .. T - 1 only (what the `generate` rows cover). */
  readonly tail: AgreementStats;
  readonly seconds: number;
  readonly loadavg: number[];
  readonly details: object;
}

const rows: Row[] = [];
const started = new Date();
const loadBefore = loadavg();

async function runOurs(variant: OursVariant, modes: readonly OursMode[]): Promise<void> {
  console.error(`ours ${variant.name}: ${modes.join(', ')}`);
  const result = await child<OursResult>('ours', {
    model,
    cacheDir: values['cache-dir'],
    threads,
    ids,
    referencePath,
    options: variant.options,
    modes,
    promptLength: P,
  } satisfies OursJob);
  for (const mode of result.modes) {
    if (mode.stats === null) continue;
    rows.push({
      variant: variant.name,
      engine: 'ours',
      how: `${mode.mode}: ${mode.graph}`,
      firstPosition: mode.firstPosition,
      stats: mode.stats,
      tail: mode.tail as AgreementStats,
      seconds: mode.seconds,
      loadavg: result.loadavg,
      details: { options: result.options, hasPrefillGraph: result.hasPrefillGraph, load: result.load },
    });
  }
}

if (!values['reuse-reference'] || !existsSync(referencePath)) {
  await runOurs(
    { engine: 'ours', name: 'fp32', options: { dtype: 'fp32' }, modes: [] },
    values['no-fp32-decode'] ? ['reference'] : ['reference', 'decode'],
  );
} else if (!values['no-fp32-decode']) {
  await runOurs({ engine: 'ours', name: 'fp32', options: { dtype: 'fp32' }, modes: [] }, ['decode']);
}

for (const variant of variants) {
  if (variant.engine === 'ours') {
    await runOurs(variant, variant.modes);
    continue;
  }
  const file = join(ggufDir, `${basename(model)}-${variant.type}.gguf`);
  if (!existsSync(file)) {
    const t0 = performance.now();
    await convertToGguf(model, file, { type: variant.type, vocab: await loadGemma3Vocab(model, vocabSize) });
    console.error(`converted ${file} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  console.error(`${variant.name}: ${file}, ${variant.chunk} token(s) per llama_decode`);
  const result = await child<LlamaCppResult>('llama', {
    file,
    threads,
    ids,
    referencePath,
    vocabSize,
    chunk: variant.chunk,
    tailFrom: P - 1,
  } satisfies LlamaCppJob);
  console.error(`  ${JSON.stringify(result.stats)}`);
  rows.push({
    variant: variant.name,
    engine: 'llama.cpp',
    how:
      variant.chunk === 1
        ? 'token by token (one llama_decode per token)'
        : `batches of ${variant.chunk} tokens per llama_decode`,
    firstPosition: 0,
    stats: result.stats,
    tail: result.tail,
    seconds: result.seconds,
    loadavg: result.loadavg,
    details: { file: result.file, kvCache: result.kvCache, evaluateSeconds: result.evaluateSeconds },
  });
}

const fmt = (x: number | null, digits = 4) =>
  x === null ? '-' : x !== 0 && Math.abs(x) < 1e-3 ? x.toExponential(2) : x.toFixed(digits);
const lines = [
  `| variant | how the logits were computed | positions | top-1 = fp32 | KL mean | KL max | mean abs dlogp | mean abs dlogit | positions >= ${P - 1}: top-1, KL mean | s |`,
  '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ...rows.map(
    (r) =>
      `| ${r.variant} | ${r.how} | ${r.stats.positions} (from ${r.firstPosition}) | ${r.stats.top1Matches} (${(100 * r.stats.top1Agreement).toFixed(1)}%) | ${fmt(r.stats.klMean)} | ${fmt(r.stats.klMax)} | ${fmt(r.stats.meanAbsLogprobDiff)} | ${fmt(r.stats.meanAbsLogitDiff)} | ${(100 * r.tail.top1Agreement).toFixed(1)}%, ${fmt(r.tail.klMean)} | ${r.seconds.toFixed(0)} |`,
  ),
];
const entropy = rows[0]?.stats.referenceEntropyMean;
console.log(lines.join('\n'));
console.log(
  `\nfp32 mean entropy ${entropy?.toFixed(3)} nats (uniform over ${vocabSize}: ${Math.log(vocabSize).toFixed(3)}); ${S} sequences x ${T} tokens; load average before ${loadBefore.map((x) => x.toFixed(2)).join(' ')}, after ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
);
const json = {
  model,
  started: started.toISOString(),
  sequences: S,
  length: T,
  promptLength: P,
  vocabSize,
  threads,
  referenceEntropyMean: entropy,
  loadavgBefore: loadBefore,
  loadavgAfter: loadavg(),
  rows,
};
console.log(JSON.stringify(json, null, 2));
if (values['json-out'] !== undefined)
  await writeFile(values['json-out'], `${JSON.stringify(json, null, 2)}\n`);
