/**
 * fp32 benchmark of Gemma3ForCausalLM on the `1b` random checkpoint (real gemma-3-1b shapes).
 *
 *   pnpm --filter @gemma3/text-model bench
 *
 * Env: GEMMA3_BENCH_DIR (checkpoint folder, created with @gemma3/random-checkpoint when absent; default
 * $TMPDIR/gemma3-bench-1b), GEMMA3_BENCH_CACHE (model cache; default $TMPDIR/gemma3-bench-cache),
 * GEMMA3_BENCH_THREADS (intra-op threads; default all cores).
 *
 * Phases run in separate processes so peak RSS is measured per phase: `build` (cold conversion only: the
 * cache is removed first) and `run` (cached load incl. session creation, prefill 128 and 1024, time to
 * first token and decode of 128 new tokens after a 128-token prompt).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createRandomCheckpoint } from '@gemma3/random-checkpoint';
import { Gemma3ForCausalLM } from '../src/gemma3-for-causal-lm.js';
import { buildDecoderModel } from '../src/runtime/load-decoder.js';

const checkpointDir = process.env.GEMMA3_BENCH_DIR ?? join(tmpdir(), 'gemma3-bench-1b');
const cacheDir = process.env.GEMMA3_BENCH_CACHE ?? join(tmpdir(), 'gemma3-bench-cache');
const threads = Number(process.env.GEMMA3_BENCH_THREADS ?? availableParallelism());
const session = { intraOpThreads: threads, spinning: true, memoryArena: true };

function peakRssMb(): number {
  return process.resourceUsage().maxRSS / 1024; // maxRSS is in KiB
}

/** Seeded token ids in [3, vocab): no special ids at the start of the vocabulary. */
function promptOf(vocab: number): (length: number, seed: number) => number[] {
  return (length, seed) => {
    let s = seed >>> 0;
    return Array.from({ length }, () => {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      return 3 + (s % (Math.min(vocab, 262_144) - 3));
    });
  };
}

async function phaseBuild(): Promise<void> {
  const built = await buildDecoderModel(
    checkpointDir,
    { output: 'logits', embedsOverride: false },
    { cacheDir, progress: true },
  );
  if (built.cacheHit) throw new Error('build phase expected an empty cache');
  const { size } = await stat(join(dirname(built.modelPath), 'model.onnx.data'));
  console.log(
    JSON.stringify({
      phase: 'build',
      buildSeconds: built.buildMs / 1000,
      outputMb: size / 1e6,
      peakRssMb: peakRssMb(),
    }),
  );
}

async function phaseRun(): Promise<void> {
  const started = performance.now();
  const model = await Gemma3ForCausalLM.fromPretrained(checkpointDir, { cacheDir, session, progress: false });
  const loadSeconds = (performance.now() - started) / 1000;
  if (!model.loaded.cacheHit) throw new Error('run phase expected a cached model');
  const loadRssMb = peakRssMb();
  const prompt = promptOf(model.vocabSize);

  const prefill = async (length: number): Promise<number> => {
    const ids = prompt(length, length);
    let best = Number.POSITIVE_INFINITY;
    for (let r = 0; r < 2; r++) {
      const t0 = performance.now();
      await model.forward({ inputIds: [ids], logits: 'last' });
      best = Math.min(best, performance.now() - t0);
    }
    return length / (best / 1000);
  };
  await model.forward({ inputIds: [prompt(8, 1)], logits: 'last' }); // warm-up
  const prefill128 = await prefill(128);
  const prefill1024 = await prefill(1024);

  const newTokens = 128;
  let firstTokenAt = 0;
  let lastTokenAt = 0;
  let tokens = 0;
  const t0 = performance.now();
  await model.generate({
    inputIds: [prompt(128, 7)],
    maxNewTokens: newTokens,
    minNewTokens: newTokens,
    doSample: false,
    streamer: {
      onTokens() {
        const now = performance.now();
        if (tokens === 0) firstTokenAt = now;
        lastTokenAt = now;
        tokens += 1;
      },
    },
  });
  const ttftMs = firstTokenAt - t0;
  const decodePerSecond = (tokens - 1) / ((lastTokenAt - firstTokenAt) / 1000);
  console.log(
    JSON.stringify({
      phase: 'run',
      cachedLoadSeconds: loadSeconds,
      peakRssAfterLoadMb: loadRssMb,
      prefill128TokensPerSecond: prefill128,
      prefill1024TokensPerSecond: prefill1024,
      timeToFirstTokenMs: ttftMs,
      decodeTokensPerSecond: decodePerSecond,
      decodedTokens: tokens,
      peakRssMb: peakRssMb(),
    }),
  );
  await model.dispose();
}

async function main(): Promise<void> {
  const phase = process.argv[2];
  if (phase === 'build') return phaseBuild();
  if (phase === 'run') return phaseRun();
  if (!existsSync(join(checkpointDir, 'model.safetensors'))) {
    console.error(`writing the 1b random checkpoint to ${checkpointDir} ...`);
    await createRandomCheckpoint({ preset: '1b', outDir: checkpointDir, force: true });
  }
  await rm(cacheDir, { recursive: true, force: true }); // cold build
  const results: unknown[] = [];
  for (const p of ['build', 'run']) {
    const child = spawnSync(process.execPath, [...process.execArgv, process.argv[1]!, p], {
      stdio: ['ignore', 'pipe', 'inherit'],
      encoding: 'utf8',
      maxBuffer: 1 << 24,
    });
    if (child.status !== 0) throw new Error(`bench phase ${p} failed (${child.status}): ${child.stdout}`);
    results.push(JSON.parse(child.stdout.trim().split('\n').at(-1)!));
  }
  console.log(
    JSON.stringify(
      { machine: { cpus: cpus().length, model: cpus()[0]?.model, threads }, checkpointDir, results },
      null,
      2,
    ),
  );
}

await main();
