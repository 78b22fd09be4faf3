/**
 * Prompt lookup decoding (speculative decoding without a second model) on an input-grounded task:
 * "rewrite this text" with the text in the prompt.
 *
 *   node --conditions=@gemma3/source --import tsx packages/text-model/bench/prompt-lookup-bench.ts [tiny|1b|all]
 *
 * Part A (`tiny`, fast): the `tiny-text` random checkpoint (real Gemma 3 vocabulary and tokenizer,
 * tiny layers), `generate()` with and without `promptLookup`, greedy, 128 new tokens: wall time,
 * model calls, draft acceptance, and that both give the same ids. Random weights do not copy the
 * text, so acceptance is whatever their repetitive output happens to give; it says nothing of a real
 * model's acceptance on such a task.
 *
 * Part B (`1b`, heavy: ~5.3 GB peak RSS in fp32): on the `1b` random checkpoint (real gemma-3-1b shapes),
 * (1) the cost of one verify step of K + 1 tokens against one decode step, after the same prompt
 * (rolled back after each verify, so the context is the same each time): this is the mechanism, and
 * it bounds the speedup as a function of the acceptance rate; (2) the same end-to-end run as part A.
 *
 * Env: GEMMA3_BENCH_DIR (1b checkpoint folder; default $TMPDIR/gemma3-bench-1b, created when absent),
 * GEMMA3_BENCH_CACHE (model cache; default $TMPDIR/gemma3-bench-cache), GEMMA3_BENCH_THREADS (default
 * all cores), GEMMA3_BENCH_NEW_TOKENS (part B end-to-end; default 48), GEMMA3_BENCH_REPS (timed
 * repetitions of each step, median taken; default 5), GEMMA3_BENCH_DTYPE (part B: fp32 (default), q8
 * or q4 through @gemma3/quantization's weight ops).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type CausalLanguageModel,
  type GenerateOptions,
  type GenerationSession,
  generate,
} from '@gemma3/generation';
import { createRandomCheckpoint } from '@gemma3/random-checkpoint';
import { Tokenizer } from '../../tokenizer/src/index.js';
import { Gemma3ForCausalLM } from '../src/gemma3-for-causal-lm.js';

const part = process.argv[2] ?? 'all';
const threads = Number(process.env.GEMMA3_BENCH_THREADS ?? availableParallelism());
const session = { intraOpThreads: threads, spinning: true, memoryArena: true };

const TEXT = `The committee met on Tuesday to review the budget for the coming year. After a long discussion,
the members agreed to increase funding for the public library by ten percent, to repair the roof of
the community hall before winter, and to hire two more staff for the after-school programme. The
proposal to close the swimming pool on Mondays was rejected. The next meeting will take place on the
first Thursday of next month, when the final figures will be presented to the council for approval.`;
const PROMPT = `<start_of_turn>user\nFix the spelling and punctuation of this text and return it in full:\n\n${TEXT}<end_of_turn>\n<start_of_turn>model\n`;

/** Wraps a model to count its session calls and the drafts it was asked to verify. */
function counted(model: CausalLanguageModel) {
  const calls = { decodes: 0, verifies: 0, drafted: 0, rolledBack: 0 };
  const wrapper: CausalLanguageModel = {
    vocabSize: model.vocabSize,
    maxContextLength: model.maxContextLength,
    async startSession(options) {
      const s = (await model.startSession(options)) as Required<GenerationSession>;
      return {
        prefill: (i) => s.prefill(i),
        decode: (i) => {
          calls.decodes += 1;
          return s.decode(i);
        },
        verify: (i) => {
          calls.verifies += 1;
          calls.drafted += i.tokenIds.length - 1;
          return s.verify(i);
        },
        rollback: (n) => {
          calls.rolledBack += n;
          return s.rollback(n);
        },
        dispose: () => s.dispose(),
      };
    },
  };
  return { wrapper, calls };
}

async function endToEnd(name: string, model: Gemma3ForCausalLM, ids: number[], maxNewTokens: number) {
  const options: GenerateOptions = {
    generationConfig: model.generationConfig,
    inputIds: [ids],
    maxNewTokens,
    doSample: false,
    eosTokenId: [], // random weights: run the full length
  };
  await generate(model, { ...options, maxNewTokens: 2 }); // warm-up
  let started = performance.now();
  const plain = await generate(model, options);
  const plainMs = performance.now() - started;
  const { wrapper, calls } = counted(model);
  started = performance.now();
  const lookup = await generate(wrapper, { ...options, promptLookup: { draftTokens: 10, maxNgram: 2 } });
  const lookupMs = performance.now() - started;
  const accepted = calls.drafted - calls.rolledBack;
  const row = {
    model: name,
    promptTokens: ids.length,
    newTokens: maxNewTokens,
    sameIds: JSON.stringify(lookup.sequences) === JSON.stringify(plain.sequences),
    plainMs: Math.round(plainMs),
    lookupMs: Math.round(lookupMs),
    speedup: Number((plainMs / lookupMs).toFixed(2)),
    plainModelCalls: maxNewTokens, // prefill + maxNewTokens - 1 decodes
    lookupModelCalls: 1 + calls.decodes + calls.verifies,
    verifySteps: calls.verifies,
    draftedTokens: calls.drafted,
    acceptedDrafts: accepted,
    acceptance: calls.drafted === 0 ? 0 : Number((accepted / calls.drafted).toFixed(3)),
    // what the output looks like: random weights tend to repeat a few tokens
    distinctNewTokens: new Set(plain.newTokens[0]).size,
    firstNewTokens: plain.newTokens[0]!.slice(0, 12),
  };
  console.log(JSON.stringify(row));
  return row;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** ms of one decode step and of one verify step of K + 1 tokens, after the same prompt. */
async function stepCosts(model: Gemma3ForCausalLM, ids: number[], ks: readonly number[], reps: number) {
  const n = ids.length;
  const mask = (extra: number) => [[...ids.map(() => 1), ...new Array(extra).fill(1)]];
  const s = (await model.startSession({
    batchSize: 1,
    maxLength: n + 64,
    cache: 'dynamic',
    draftTokens: Math.max(...ks),
  })) as Required<GenerationSession>;
  await s.prefill({
    inputIds: [ids],
    attentionMask: mask(0),
    positionIds: [ids.map((_, i) => i)],
    extra: undefined,
  });
  const token = ids[n - 1]!;
  // Interleaved (decode, verify K for each K, repeat) so that load from other processes hits all alike.
  const samples: Record<string, number[]> = { decode: [] };
  for (const k of ks) samples[`verify${k}`] = [];
  for (let r = 0; r < reps + 2; r++) {
    let t = performance.now();
    await s.decode({ tokenIds: [token], attentionMask: mask(1), positionIds: [n], step: 1 });
    if (r >= 2) samples.decode!.push(performance.now() - t); // two warm-up rounds
    await s.rollback(1);
    for (const k of ks) {
      const tokenIds = ids.slice(0, k + 1);
      t = performance.now();
      await s.verify({
        tokenIds,
        positionIds: tokenIds.map((_, i) => n + i),
        attentionMask: mask(k + 1),
        step: 1,
      });
      if (r >= 2) samples[`verify${k}`]!.push(performance.now() - t);
      await s.rollback(k + 1);
    }
  }
  const times: Record<string, number> = {};
  for (const [key, values] of Object.entries(samples)) times[key] = median(values);
  await s.dispose();
  return times;
}

function boundTable(times: Record<string, number>, ks: readonly number[]) {
  const alphas = [0, 0.5, 0.7, 0.9, 1];
  const rows = ks.map((k) => {
    const cost = times[`verify${k}`]! / times.decode!;
    const speedups = alphas.map((a) => {
      const tokensPerStep = a === 1 ? k + 1 : (1 - a ** (k + 1)) / (1 - a);
      return Number((tokensPerStep / cost).toFixed(2));
    });
    return {
      k,
      verifyMs: Math.round(times[`verify${k}`]!),
      costInDecodes: Number(cost.toFixed(2)),
      speedups,
    };
  });
  console.log(
    JSON.stringify({
      decodeMs: Math.round(times.decode!),
      alphas,
      note: 'speedup = E[tokens per verify] / (verify / decode)',
    }),
  );
  for (const r of rows) console.log(JSON.stringify(r));
}

console.log(
  JSON.stringify({ machine: `${cpus().length} x ${cpus()[0]?.model}`, threads, node: process.version, part }),
);

if (part === 'tiny' || part === 'all') {
  const dir = await mkdtemp(join(tmpdir(), 'gemma3-pl-tiny-'));
  try {
    await createRandomCheckpoint({ preset: 'tiny-text', outDir: join(dir, 'ckpt') });
    const tokenizer = await Tokenizer.fromPretrained(join(dir, 'ckpt'));
    const ids = tokenizer.encode(PROMPT);
    const model = await Gemma3ForCausalLM.fromPretrained(join(dir, 'ckpt'), {
      cacheDir: join(dir, 'cache'),
      session,
      progress: false,
    });
    await endToEnd('tiny-text random (vocab 262144)', model, ids, 128);
    await model.dispose();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (part === '1b' || part === 'all') {
  const checkpointDir = process.env.GEMMA3_BENCH_DIR ?? join(tmpdir(), 'gemma3-bench-1b');
  const cacheDir = process.env.GEMMA3_BENCH_CACHE ?? join(tmpdir(), 'gemma3-bench-cache');
  if (!existsSync(join(checkpointDir, 'model.safetensors'))) {
    await createRandomCheckpoint({ preset: '1b', outDir: checkpointDir });
  }
  const tokenizer = await Tokenizer.fromPretrained(checkpointDir);
  const ids = tokenizer.encode(PROMPT);
  const dtype = process.env.GEMMA3_BENCH_DTYPE ?? 'fp32';
  // @gemma3/quantization depends on this package, so it is reached by path (bench only).
  const weightOps =
    dtype === 'fp32'
      ? undefined
      : (await import('../../quantization/src/index.js')).createQuantizedWeightOps({
          dtype: dtype as 'q4' | 'q8',
        });
  const model = await Gemma3ForCausalLM.fromPretrained(checkpointDir, {
    cacheDir,
    session,
    progress: true,
    ...(weightOps === undefined ? {} : { weightOps }),
  });
  console.log(JSON.stringify({ dtype, loaded: model.loaded.modelPath, cacheHit: model.loaded.cacheHit }));
  const ks = [1, 2, 4, 6, 10] as const;
  boundTable(await stepCosts(model, ids, ks, Number(process.env.GEMMA3_BENCH_REPS ?? 5)), ks);
  await endToEnd(`1b random ${dtype}`, model, ids, Number(process.env.GEMMA3_BENCH_NEW_TOKENS ?? 48));
  console.log(JSON.stringify({ peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024) }));
  await model.dispose();
}
