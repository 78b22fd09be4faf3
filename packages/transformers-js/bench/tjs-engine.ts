/**
 * The transformers.js side of tools/bench/transformers-js.ts (which runs it): lives in this package so
 * that `@huggingface/transformers` and this package resolve from here.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DECODER_GRAPH_VERSION } from '@gemma3/text-model';
import { AutoModelForCausalLM, env, Tensor } from '@huggingface/transformers';
import { exportTransformersJs } from '../src/index.js';

export interface EngineOptions {
  model: string;
  outDir: string;
  dtype: 'fp32' | 'q8' | 'q4';
  blockSize: number;
  threads: number;
}

/** Seeded ids (xorshift32) in [1000, 200000). */
function promptIds(count: number, seed: number): bigint[] {
  let x = seed >>> 0 || 1;
  return Array.from({ length: count }, () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return BigInt(1000 + (x % 199_000));
  });
}

export interface ChildResult {
  loadMs: number;
  promptTokens: number;
  newTokens: number;
  timeToFirstTokenMs: number;
  decodeTokensPerSecond: number | null;
  peakRssBytes: number;
}

export async function child(kind: 'short' | 'long', o: EngineOptions): Promise<void> {
  const { outDir, dtype, threads } = o;
  env.allowRemoteModels = false;
  const started = performance.now();
  const lm = await AutoModelForCausalLM.from_pretrained(outDir, {
    dtype,
    local_files_only: true,
    session_options: {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      enableCpuMemArena: true,
      extra: { session: { intra_op: { allow_spinning: '1' } } },
    },
  });
  const loadMs = performance.now() - started;
  const promptTokens = kind === 'short' ? 128 : 1024;
  const newTokens = kind === 'short' ? 128 : 1;
  const ids = promptIds(promptTokens, kind === 'short' ? 128 : 1024);
  const times: number[] = [];
  const streamer = {
    put: () => {
      times.push(performance.now());
    },
    end: () => {},
  };
  const t0 = performance.now();
  const out = await lm.generate({
    input_ids: new Tensor('int64', BigInt64Array.from(ids), [1, promptTokens]),
    attention_mask: new Tensor('int64', new BigInt64Array(promptTokens).fill(1n), [1, promptTokens]),
    max_new_tokens: newTokens,
    min_new_tokens: newTokens,
    do_sample: false,
    // biome-ignore lint/suspicious/noExplicitAny: transformers.js types its streamer as a class
    streamer: streamer as any,
  });
  const end = performance.now();
  const generated = (out as { dims: number[] }).dims[1]! - promptTokens;
  if (generated !== newTokens) throw new Error(`generated ${generated} tokens, expected ${newTokens}`);
  // put() #1 is the prompt, #2 the first generated token.
  const first = times[1] ?? end;
  const result: ChildResult = {
    loadMs,
    promptTokens,
    newTokens,
    timeToFirstTokenMs: first - t0,
    decodeTokensPerSecond: newTokens > 1 ? (newTokens - 1) / ((end - first) / 1000) : null,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
  };
  await lm.dispose();
  console.log(JSON.stringify(result));
}

export async function ensureExport(o: EngineOptions): Promise<{ exportMs: number | null }> {
  const { model, outDir, dtype, blockSize } = o;
  const marker = join(outDir, 'bench-export.json');
  const wanted = { model, dtype, blockSize, decoderGraph: DECODER_GRAPH_VERSION }; // a new graph re-exports
  const existing = await readFile(marker, 'utf8').then(
    (s) => JSON.parse(s) as typeof wanted,
    () => undefined,
  );
  if (existing && JSON.stringify(existing) === JSON.stringify(wanted)) return { exportMs: null };
  console.error(`exporting ${model} to ${outDir} (${dtype}${dtype === 'fp32' ? '' : ` b${blockSize}`})`);
  const result = await exportTransformersJs(model, outDir, {
    dtype,
    ...(dtype === 'fp32' ? {} : { quantization: { blockSize: blockSize as 128 } }),
    overwrite: true,
    progress: process.stderr.isTTY === true,
  });
  await writeFile(marker, `${JSON.stringify(wanted)}\n`);
  return { exportMs: result.ms };
}
