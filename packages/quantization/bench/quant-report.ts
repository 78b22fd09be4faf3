/**
 * Accuracy and first speed report of quantized builds against fp32 on the `1b` random checkpoint.
 *
 *   node apps/cli/bin/gemma3.js create-random --preset 1b --out /tmp/gemma3-1b   (or from source, see
 *   apps/cli README)
 *   GEMMA3_REPORT_DIR=/tmp/gemma3-1b pnpm --filter @gemma3/quantization bench
 *
 * Env: GEMMA3_REPORT_DIR (checkpoint; default $TMPDIR/gemma3-1b), GEMMA3_REPORT_CACHE (model cache;
 * default $TMPDIR/gemma3-quant-cache), GEMMA3_REPORT_OUT (logits/hidden dumps; default
 * $TMPDIR/gemma3-quant-report), GEMMA3_REPORT_THREADS (default all cores), GEMMA3_REPORT_VARIANTS
 * (comma list of fp32,q8,q4b32,q4b128,q8dqmm; default all), GEMMA3_REPORT_POSITIONS (default 256).
 *
 * One child process per variant (one model in memory at a time, peak RSS per variant): build (or take
 * from the cache), logits for every position of a GEMMA3_REPORT_POSITIONS-token prompt and final hidden
 * states of the same prompt (dumped to disk), prefill of 128 tokens (best of 2), decode of 64 new tokens
 * after a 128-token prompt. The parent compares the dumps with fp32 and measures the relative weight
 * reconstruction error on layer-0 and middle-layer matrices and the embedding.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Gemma3ForCausalLM, Gemma3TextModel, textTensorNames } from '@gemma3/text-model';
import { openCheckpoint } from '@gemma3/weights';
import {
  dequantizeChannels,
  quantizeBlocks,
  quantizeChannelsInt8,
  relativeError,
} from '../src/block-quantize.js';
import type { QuantizationOptions } from '../src/options.js';
import { createQuantizedWeightOps } from '../src/quantized-weight-ops.js';
import { compareLogits, cosineByRow } from '../src/report/compare.js';

const dir = process.env.GEMMA3_REPORT_DIR ?? join(tmpdir(), 'gemma3-1b');
const cacheDir = process.env.GEMMA3_REPORT_CACHE ?? join(tmpdir(), 'gemma3-quant-cache');
const outDir = process.env.GEMMA3_REPORT_OUT ?? join(tmpdir(), 'gemma3-quant-report');
const threads = Number(process.env.GEMMA3_REPORT_THREADS ?? availableParallelism());
const positions = Number(process.env.GEMMA3_REPORT_POSITIONS ?? 256);
const session = { intraOpThreads: threads, spinning: true, memoryArena: true };
/** GEMMA3_REPORT_ACCURACY=0: speed only (no hidden-state model, no dumps, no comparison). */
const accuracyOn = process.env.GEMMA3_REPORT_ACCURACY !== '0';

const VARIANTS: Record<string, QuantizationOptions> = {
  fp32: { dtype: 'fp32' },
  q8: { dtype: 'q8' },
  q4b32: { dtype: 'q4' },
  q4b128: { dtype: 'q4', quantization: { blockSize: 128 } },
  q8dqmm: { dtype: 'q8', linearKernel: 'DynamicQuantizeMatMul' },
};

function prompt(length: number, seed: number, vocab: number): number[] {
  let s = seed >>> 0;
  return [
    2,
    ...Array.from({ length: length - 1 }, () => {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      return 3 + (s % (vocab - 3));
    }),
  ];
}

const peakRssMb = () => process.resourceUsage().maxRSS / 1024;

async function runVariant(name: string): Promise<void> {
  const weightOps = createQuantizedWeightOps(VARIANTS[name]!);
  const options = { cacheDir, session, progress: false, weightOps };

  // Final hidden states (the graph without the LM head), then the causal LM.
  const t0 = performance.now();
  if (accuracyOn) {
    const text = await Gemma3TextModel.fromPretrained(dir, options);
    const ids = prompt(positions, 1, text.config.vocab_size);
    const hidden = (await text.forward({ inputIds: [ids] })).lastHiddenState.data as Float32Array;
    await writeFile(join(outDir, `${name}.hidden.bin`), hidden);
    await text.dispose();
  }
  const hiddenSeconds = (performance.now() - t0) / 1000;

  const t1 = performance.now();
  const model = await Gemma3ForCausalLM.fromPretrained(dir, options);
  const loadSeconds = (performance.now() - t1) / 1000;
  const buildSeconds = model.loaded.buildMs / 1000;
  const vocab = model.vocabSize;
  if (accuracyOn) {
    const ids = prompt(positions, 1, vocab);
    const logits = (await model.forward({ inputIds: [ids] })).logits.data as Float32Array;
    await writeFile(join(outDir, `${name}.logits.bin`), logits);
  }

  await model.forward({ inputIds: [prompt(8, 3, vocab)], logits: 'last' }); // warm-up
  const p128 = prompt(128, 5, vocab);
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < 2; r++) {
    const s = performance.now();
    await model.forward({ inputIds: [p128], logits: 'last' });
    best = Math.min(best, performance.now() - s);
  }
  const newTokens = 64;
  let first = 0;
  let last = 0;
  let tokens = 0;
  const g0 = performance.now();
  await model.generate({
    inputIds: [prompt(128, 7, vocab)],
    maxNewTokens: newTokens,
    minNewTokens: newTokens,
    doSample: false,
    streamer: {
      onTokens() {
        const now = performance.now();
        if (tokens === 0) first = now;
        last = now;
        tokens += 1;
      },
    },
  });
  await model.dispose();
  console.log(
    JSON.stringify({
      variant: name,
      cacheKey: weightOps.cacheKey,
      hiddenPhaseSeconds: hiddenSeconds,
      lmLoadSeconds: loadSeconds,
      lmBuildSeconds: buildSeconds,
      dataMb: statSync(`${model.loaded.modelPath}.data`).size / 1e6,
      prefill128TokensPerSecond: 128 / (best / 1000),
      timeToFirstTokenMs: first - g0,
      decodeTokensPerSecond: (tokens - 1) / ((last - first) / 1000),
      decodedTokens: tokens,
      peakRssMb: peakRssMb(),
    }),
  );
}

async function weightErrors(): Promise<Record<string, Record<string, number>>> {
  const checkpoint = await openCheckpoint(dir);
  try {
    const names = textTensorNames(checkpoint);
    const mid = Math.floor(names.layers.length / 2);
    const picks: [string, string][] = [];
    for (const i of [0, mid]) {
      const l = names.layers[i]!;
      picks.push([`layers.${i}.q_proj`, l.q], [`layers.${i}.mlp.down_proj`, l.down]);
    }
    picks.push(['embed_tokens (tied LM head)', names.embed]);
    const specs = {
      q8: { bits: 8, blockSize: 32, symmetric: true },
      q4b32: { bits: 4, blockSize: 32, symmetric: true },
      q4b128: { bits: 4, blockSize: 128, symmetric: true },
    } as const;
    const out: Record<string, Record<string, number>> = {};
    for (const [label, tensor] of picks) {
      const info = await checkpoint.info(tensor);
      const [rows, cols] = info.shape as [number, number];
      const w = await checkpoint.readFloat32(tensor);
      out[label] = {};
      for (const [v, spec] of Object.entries(specs)) {
        out[label]![v] = relativeError(w, quantizeBlocks(w, rows, cols, spec, tensor));
      }
      const deq = dequantizeChannels(quantizeChannelsInt8(w, rows, cols, tensor));
      let num = 0;
      let den = 0;
      for (let i = 0; i < w.length; i++) {
        num += (w[i]! - deq[i]!) ** 2;
        den += w[i]! ** 2;
      }
      out[label]!.int8PerChannel = Math.sqrt(num / den);
    }
    return out;
  } finally {
    await checkpoint.close();
  }
}

async function main(): Promise<void> {
  const arg = process.argv[2];
  if (arg && arg !== 'all') return runVariant(arg);
  if (!existsSync(join(dir, 'config.json'))) {
    throw new Error(`no checkpoint at ${dir}: gemma3 create-random --preset 1b --out ${dir}`);
  }
  await mkdir(outDir, { recursive: true });
  const wanted = (process.env.GEMMA3_REPORT_VARIANTS ?? 'fp32,q8,q4b32,q4b128,q8dqmm').split(',');
  const runs: Record<string, Record<string, number | string>> = {};
  for (const v of wanted) {
    console.error(`[quant-report] ${v} ...`);
    const child = spawnSync(process.execPath, [...process.execArgv, process.argv[1]!, v], {
      stdio: ['ignore', 'pipe', 'inherit'],
      encoding: 'utf8',
      env: process.env,
      maxBuffer: 1 << 24,
    });
    if (child.status !== 0) throw new Error(`variant ${v} failed (${child.status}): ${child.stdout}`);
    runs[v] = JSON.parse(child.stdout.trim().split('\n').at(-1)!);
    console.error(JSON.stringify(runs[v]));
  }
  const load = async (name: string, kind: string) =>
    new Float32Array((await readFile(join(outDir, `${name}.${kind}.bin`))).buffer);
  const accuracy: Record<string, unknown> = {};
  // fp32 dumps from this run or an earlier one (same prompt, same checkpoint).
  if (accuracyOn && existsSync(join(outDir, 'fp32.logits.bin'))) {
    const refLogits = await load('fp32', 'logits');
    const refHidden = await load('fp32', 'hidden');
    const vocab = refLogits.length / positions;
    const hiddenSize = refHidden.length / positions;
    for (const v of wanted.filter((w) => w !== 'fp32')) {
      accuracy[v] = {
        ...compareLogits(refLogits, await load(v, 'logits'), vocab),
        hiddenCosine: cosineByRow(refHidden, await load(v, 'hidden'), hiddenSize),
      };
      console.error(`[quant-report] ${v}: ${JSON.stringify(accuracy[v])}`);
    }
  }
  console.error('[quant-report] weight reconstruction ...');
  const weights = accuracyOn ? await weightErrors() : {};
  console.log(
    JSON.stringify(
      {
        machine: { cpus: cpus().length, model: cpus()[0]?.model, threads },
        dir,
        positions,
        runs,
        accuracy,
        weights,
      },
      null,
      2,
    ),
  );
}

await main();
