import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Gemma3ForCausalLM } from './gemma3-for-causal-lm.js';
import { FP32_WEIGHT_OPS, type WeightOps } from './graph/weight-ops.js';
import { loadDecoder } from './runtime/load-decoder.js';
import { maxAbs, REPO_ROOT } from './test-utils/golden.js';

const TINY = join(REPO_ROOT, 'fixtures/checkpoints/tiny-text');
const work = await mkdtemp(join(tmpdir(), 'gemma3-prefill-graph-'));
const cacheDir = join(work, 'cache');
afterAll(() => rm(work, { recursive: true, force: true }));

/** Longer than tiny-text's sliding window (8), so the prefill graph writes past a full ring. */
const PROMPT = [2, 17, 301, 44, 9, 250, 7, 88, 123, 400, 5, 61, 77, 19, 333, 2, 8, 91, 45];

/** The float32 kernels under another cache key: the split itself is the only difference. */
const PREFILL_OPS: WeightOps = { ...FP32_WEIGHT_OPS, cacheKey: 'fp32-prefill-test' };

/** Counts the runs of each session, to see which graph ran. */
function countRuns(model: Gemma3ForCausalLM): { main: number; prefill: number } {
  const counts = { main: 0, prefill: 0 };
  const runner = (model as unknown as { runner: { session: object; prefillSession: object } }).runner;
  for (const [key, session] of [
    ['main', runner.session],
    ['prefill', runner.prefillSession],
  ] as const) {
    const s = session as { run: (...args: unknown[]) => Promise<unknown> };
    const original = s.run.bind(s);
    s.run = (...args) => {
      counts[key] += 1;
      return original(...args);
    };
  }
  return counts;
}

describe('a prefill graph beside the decode graph (prefillWeightOps)', () => {
  let single: Gemma3ForCausalLM;
  let split: Gemma3ForCausalLM;
  let runs: { main: number; prefill: number };
  beforeAll(async () => {
    single = await Gemma3ForCausalLM.fromPretrained(TINY, { cacheDir, progress: false });
    split = await Gemma3ForCausalLM.fromPretrained(TINY, {
      cacheDir,
      progress: false,
      prefillWeightOps: PREFILL_OPS,
    });
    runs = countRuns(split);
  });
  afterAll(async () => {
    await single.dispose();
    await split.dispose();
  });

  test('is built as its own cache-only graph', async () => {
    expect(split.loaded.prefill?.modelPath).toBeDefined();
    expect(split.loaded.prefill?.modelPath).not.toBe(split.loaded.modelPath);
    const prefill = await loadDecoder(
      TINY,
      { output: 'logits', embedsOverride: false },
      { cacheDir, progress: false, prefillWeightOps: PREFILL_OPS },
    );
    expect(prefill.cacheHit).toBe(true);
    expect(prefill.runner.prefillSession?.inputNames).not.toContain('output_positions');
    expect(prefill.runner.prefillSession?.outputNames.every((n) => n.startsWith('new_'))).toBe(true);
    await prefill.runner.release();
  });

  test('last-position logits of a prompt: prefill graph for T - 1 tokens, decode graph for the last', async () => {
    const before = { ...runs };
    const expected = (await single.forward({ inputIds: [PROMPT], logits: 'last' })).logits;
    const out = await split.forward({ inputIds: [PROMPT], logits: 'last' });
    expect(runs.prefill - before.prefill).toBe(1);
    expect(runs.main - before.main).toBe(1);
    expect(out.logits.dims).toEqual(expected.dims);
    expect(maxAbs(out.logits.data as Float32Array, expected.data as Float32Array)).toBeLessThan(1e-5);
    expect(out.pastKeyValues.length).toBe(PROMPT.length);
    // The cache the two graphs wrote continues like the single graph's.
    const next = await split.forward({ inputIds: [[77]], pastKeyValues: out.pastKeyValues, logits: 'last' });
    const full = (await single.forward({ inputIds: [[...PROMPT, 77]], logits: 'last' })).logits;
    expect(maxAbs(next.logits.data as Float32Array, full.data as Float32Array)).toBeLessThan(1e-5);
  });

  test('all-position logits and single tokens run on the decode graph only', async () => {
    const before = { ...runs };
    const all = await split.forward({ inputIds: [PROMPT] });
    await split.forward({ inputIds: [[5]], pastKeyValues: all.pastKeyValues, logits: 'last' });
    expect(runs.prefill).toBe(before.prefill);
    expect(runs.main - before.main).toBe(2);
  });

  test('greedy generation of a left-padded batch is identical', async () => {
    const inputIds = [
      [0, 0, 0, ...PROMPT.slice(0, 10)],
      [2, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16],
    ];
    const attentionMask = inputIds.map((row, r) => row.map((_, i) => (r === 0 && i < 3 ? 0 : 1)));
    const options = { inputIds, attentionMask, maxNewTokens: 12, minNewTokens: 12, doSample: false };
    const before = runs.prefill;
    const a = await single.generate(options);
    const b = await split.generate(options);
    expect(runs.prefill - before).toBe(1);
    expect(b.sequences).toEqual(a.sequences);
  });
});
