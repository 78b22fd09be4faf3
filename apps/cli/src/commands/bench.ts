import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AutoModel, detectModelKind, quantizationOptionsOf, resolveModelFolder } from '@gemma3/pipeline';
import type { Command } from '../command.js';
import { UsageError } from '../errors/usage-error.js';
import { formatBytes } from '../format.js';
import { DTYPE_HELP, DTYPE_OPTIONS, dtypeOptions } from '../generate/dtype-flags.js';
import { requireString } from '../generate/generation-flags.js';

type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

/** One timed generation: `promptTokens` prompt ids, exactly `newTokens` greedy new ids. */
export interface BenchRun {
  /** From the call to the first new token (prefill of the whole prompt + choosing the token). */
  timeToFirstTokenMs: number;
  /** promptTokens / timeToFirstToken. */
  prefillTokensPerSecond: number;
  /** Time of the decode steps after the first token (newTokens - 1 of them). */
  decodeMs: number;
  /** (newTokens - 1) / decodeMs; 0 when newTokens is 1. */
  decodeTokensPerSecond: number;
}

export interface BenchResult {
  model: string;
  modelType: string;
  dtype: string;
  blockSize: number | null;
  /** q8/q4: `int8` (prompts on the int8 prefill graph) or `same`; null for fp32. */
  prefill: 'int8' | 'same' | null;
  /** q8/q4: the linear layers' kernel (q8 defaults to MatMulInteger: int8, activations per row); null for fp32. */
  linearKernel: 'MatMulNBits' | 'DynamicQuantizeMatMul' | 'MatMulInteger' | null;
  threads: number | null;
  promptTokens: number;
  newTokens: number;
  repetitions: number;
  warmup: boolean;
  /** `cold build`: the ONNX graph was built in this run; `cached`: taken from the graph cache. */
  load: { kind: 'cold build' | 'cached'; totalMs: number; buildMs: number; sessionMs: number };
  runs: BenchRun[];
  /** Means over the runs. */
  prefillTokensPerSecond: number;
  decodeTokensPerSecond: number;
  timeToFirstTokenMs: number;
  /** process.resourceUsage().maxRSS of this process (load, warmup and runs), in bytes. */
  peakRssBytes: number;
}

function integer(
  values: Values,
  flag: string,
  fallback: number | undefined,
  min: number,
): number | undefined {
  const raw = values[flag];
  if (raw === undefined) return fallback;
  const n = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : Number.NaN;
  if (!Number.isInteger(n) || n < min) {
    throw new UsageError(`--${flag} must be an integer >= ${min}, got "${String(raw)}"`, 'bench');
  }
  return n;
}

/** Seeded ids spread over the vocabulary, avoiding the special tokens at both ends (bos first). */
export function benchPromptIds(count: number, vocabSize: number, seed: number): number[] {
  const lo = vocabSize > 4096 ? 1000 : Math.min(10, vocabSize - 1);
  const hi = vocabSize > 256_000 ? 255_000 : vocabSize;
  let state = seed >>> 0 || 0x9e3779b9;
  const ids = [2];
  while (ids.length < count) {
    // xorshift32
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    ids.push(lo + (state % (hi - lo)));
  }
  return ids.slice(0, count);
}

const canonicalOf = (dtype: string | undefined) =>
  dtype === undefined || dtype === 'float32' ? 'fp32' : dtype;

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

function spread(xs: readonly number[], digits: number): string {
  const m = mean(xs);
  if (xs.length < 2) return m.toFixed(digits);
  const sd = Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
  return `${m.toFixed(digits)} ± ${sd.toFixed(digits)}`;
}

/** The llama-bench-like table (markdown, so it pastes into a README). */
export function formatBenchTable(r: BenchResult): string {
  const dtype =
    r.blockSize === null
      ? r.dtype
      : r.linearKernel === 'DynamicQuantizeMatMul' || r.linearKernel === 'MatMulInteger'
        ? `${r.dtype} (int8 ${r.linearKernel})`
        : `${r.dtype} b${r.blockSize}${r.prefill === 'int8' ? ' (int8 prefill)' : ''}`;
  const header = [
    'model',
    'dtype',
    'threads',
    'load',
    `prefill pp${r.promptTokens} (t/s)`,
    `decode tg${r.newTokens} (t/s)`,
    'TTFT',
    'peak RSS',
  ];
  const row = [
    r.modelType,
    dtype,
    r.threads === null ? 'default' : String(r.threads),
    `${(r.load.totalMs / 1000).toFixed(1)} s (${r.load.kind})`,
    spread(
      r.runs.map((x) => x.prefillTokensPerSecond),
      1,
    ),
    spread(
      r.runs.map((x) => x.decodeTokensPerSecond),
      2,
    ),
    `${Math.round(r.timeToFirstTokenMs)} ms`,
    formatBytes(r.peakRssBytes),
  ];
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    `| ${row.join(' | ')} |`,
  ].join('\n');
}

/** The `--json` object (snake_case). */
export type BenchJson = ReturnType<typeof jsonOf>;

function jsonOf(r: BenchResult) {
  return {
    model: r.model,
    model_type: r.modelType,
    dtype: r.dtype,
    block_size: r.blockSize,
    prefill: r.prefill,
    linear_kernel: r.linearKernel,
    threads: r.threads,
    prompt_tokens: r.promptTokens,
    new_tokens: r.newTokens,
    repetitions: r.repetitions,
    warmup: r.warmup,
    load: {
      kind: r.load.kind,
      total_ms: r.load.totalMs,
      build_ms: r.load.buildMs,
      session_ms: r.load.sessionMs,
    },
    prefill_tokens_per_second: r.prefillTokensPerSecond,
    decode_tokens_per_second: r.decodeTokensPerSecond,
    time_to_first_token_ms: r.timeToFirstTokenMs,
    peak_rss_bytes: r.peakRssBytes,
    runs: r.runs.map((x) => ({
      time_to_first_token_ms: x.timeToFirstTokenMs,
      prefill_tokens_per_second: x.prefillTokensPerSecond,
      decode_ms: x.decodeMs,
      decode_tokens_per_second: x.decodeTokensPerSecond,
    })),
  };
}

export const benchCommand: Command = {
  name: 'bench',
  summary: 'Measure load time, prefill and decode tokens/s, time to first token and peak RSS',
  help: `Usage: gemma3 bench --model M [--dtype fp32|q8|q4] [--prompt-tokens N] [--new-tokens N]
                    [--threads N] [--repetitions N] [--cold] [--json]

Like llama-bench: loads the text decoder (a multimodal model's text part), runs a prompt of seeded
random token ids from the vocabulary (bos first) and generates exactly --new-tokens tokens greedily
(end-of-sequence suppressed), and reports:
  load         time to build or take the ONNX graph from the cache and create the session, and which
               ("cold build" or "cached"; --cold forces a build into a temporary cache)
  prefill      prompt tokens / time to first token (t/s)
  decode       (new tokens - 1) / time of the decode steps after the first token (t/s)
  TTFT         time to first token: the prompt's prefill and choosing the first token
  peak RSS     the process's maximum resident set size (process.resourceUsage().maxRSS)
A warmup generation (same prompt, 2 new tokens) runs first unless --no-warmup. With --repetitions N
the table shows mean ± standard deviation; --json gives every run.

Options:
  --model M            local folder with config.json, or a Hugging Face model id
${DTYPE_HELP}
  --prompt-tokens N    prompt length in tokens, bos included (default 128)
  --new-tokens N       tokens to generate (default 128)
  --threads N          onnxruntime intra-op threads (default: onnxruntime's choice, the physical cores)
  --repetitions N      timed runs (default 1)
  --no-warmup          skip the warmup generation
  --cold               build the graph into a temporary cache (deleted afterwards) to time a cold build
  --seed N             seed of the prompt's token ids (default 0)
  --cache-dir DIR      folder of built ONNX graphs (default $GEMMA3_CACHE_DIR or ~/.cache/gemma3)
  --json               one JSON object on stdout instead of the table
  --verbose            stack traces on errors
  -h, --help           show this help

Example:
  gemma3 create-random --preset 1b --out /tmp/gemma3-1b
  gemma3 bench --model /tmp/gemma3-1b --dtype q4 --block-size 128 --threads 2

Exit codes: 0 measured, 1 failed, 2 bad command line.
`,
  options: {
    model: { type: 'string' },
    ...DTYPE_OPTIONS,
    'prompt-tokens': { type: 'string' },
    'new-tokens': { type: 'string' },
    threads: { type: 'string' },
    repetitions: { type: 'string' },
    'no-warmup': { type: 'boolean' },
    cold: { type: 'boolean' },
    seed: { type: 'string' },
    'cache-dir': { type: 'string' },
    json: { type: 'boolean' },
  },
  async run({ values, io }) {
    const model = requireString(values, 'model', 'bench');
    const dtype = dtypeOptions(values, 'bench');
    const promptTokens = integer(values, 'prompt-tokens', 128, 1)!;
    const newTokens = integer(values, 'new-tokens', 128, 1)!;
    const threads = integer(values, 'threads', undefined, 1);
    const repetitions = integer(values, 'repetitions', 1, 1)!;
    const seed = integer(values, 'seed', 0, 0)!;
    const warmup = values['no-warmup'] !== true;
    if (values.cold === true && values['cache-dir'] !== undefined) {
      throw new UsageError('give --cold or --cache-dir, not both', 'bench');
    }
    const coldDir = values.cold === true ? await mkdtemp(join(tmpdir(), 'gemma3-bench-')) : undefined;
    const cacheDir = coldDir ?? (typeof values['cache-dir'] === 'string' ? values['cache-dir'] : undefined);
    const options = {
      progress: io.stderr.isTTY === true,
      ...dtype,
      ...(cacheDir === undefined ? {} : { cacheDir }),
      ...(threads === undefined ? {} : { session: { intraOpThreads: threads } }),
    };
    try {
      const dir = await resolveModelFolder(model, options);
      const info = await detectModelKind(dir);
      const loadStart = performance.now();
      const loaded = await AutoModel.fromFolder(dir, { ...options, kind: 'text' });
      const loadMs = performance.now() - loadStart;
      try {
        if ('details' in loaded) throw new Error('expected the text decoder');
        const ids = benchPromptIds(promptTokens, loaded.vocabSize, seed);
        const generateOnce = async (count: number) => {
          const stamps: number[] = [];
          const started = performance.now();
          const result = await loaded.generate({
            inputIds: [ids],
            maxNewTokens: count,
            minNewTokens: count,
            doSample: false,
            streamer: { onTokens: () => void stamps.push(performance.now()) },
          });
          if (result.newTokens[0]!.length !== count || stamps.length !== count) {
            throw new Error(`generated ${result.newTokens[0]!.length} tokens, expected ${count}`);
          }
          const ttft = stamps[0]! - started;
          const decodeMs = stamps[count - 1]! - stamps[0]!;
          return {
            timeToFirstTokenMs: ttft,
            prefillTokensPerSecond: (promptTokens * 1000) / ttft,
            decodeMs,
            decodeTokensPerSecond: count > 1 ? ((count - 1) * 1000) / decodeMs : 0,
          };
        };
        if (warmup) await generateOnce(Math.min(2, newTokens));
        const runs: BenchRun[] = [];
        for (let i = 0; i < repetitions; i++) runs.push(await generateOnce(newTokens));
        const quantization = dtype.quantization?.blockSize;
        const kernel =
          quantizationOptionsOf(options)?.linearKernel ??
          (canonicalOf(dtype.dtype) === 'fp32' ? undefined : 'MatMulNBits');
        const canonical = dtype.dtype === undefined || dtype.dtype === 'float32' ? 'fp32' : dtype.dtype;
        const result: BenchResult = {
          model: dir,
          modelType: info.modelType,
          dtype: canonical,
          blockSize: canonical === 'fp32' ? null : (quantization ?? 32),
          linearKernel: kernel ?? null,
          prefill:
            canonical === 'fp32' ? null : kernel !== 'MatMulNBits' ? 'same' : (dtype.prefill ?? 'int8'),
          threads: threads ?? null,
          promptTokens,
          newTokens,
          repetitions,
          warmup,
          load: {
            kind: loaded.loaded.cacheHit ? 'cached' : 'cold build',
            totalMs: loadMs,
            buildMs: loaded.loaded.buildMs,
            sessionMs: loaded.loaded.sessionMs,
          },
          runs,
          prefillTokensPerSecond: mean(runs.map((r) => r.prefillTokensPerSecond)),
          decodeTokensPerSecond: mean(runs.map((r) => r.decodeTokensPerSecond)),
          timeToFirstTokenMs: mean(runs.map((r) => r.timeToFirstTokenMs)),
          peakRssBytes: process.resourceUsage().maxRSS * 1024,
        };
        io.stdout.write(
          values.json === true
            ? `${JSON.stringify(jsonOf(result), null, 2)}\n`
            : `${dir}\n\n${formatBenchTable(result)}\n`,
        );
      } finally {
        await loaded.dispose();
      }
    } finally {
      if (coldDir !== undefined) await rm(coldDir, { recursive: true, force: true });
    }
    return 0;
  },
};
