import { getLlama, type Token } from 'node-llama-cpp';

/** llama.cpp figures of one GGUF file (medians of `runs`), from the two scenario processes. */
export interface LlamaCppMeasurement {
  readonly file: string;
  readonly threads: number;
  /** getLlama + loadModel + createContext, ms (mmap: weights are paged in by the first evaluation). */
  readonly loadMs: number;
  /** Of which getLlama (loading the native binding). */
  readonly bindingMs: number;
  /** Prompt of 128 tokens to the first new token (prefill + one decode step), ms. */
  readonly timeToFirstTokenMs: number;
  readonly prefill128TokensPerSecond: number;
  readonly prefill1024TokensPerSecond: number;
  /** 128 new tokens after a 128-token prompt: (n - 1) / time from the first token to the last. */
  readonly decodeTokensPerSecond: number;
  /** The same after a 1024-token prompt (1k context). */
  readonly decode1kTokensPerSecond: number;
  /** Peak RSS of the short scenario (128 + 128 tokens, context 512). */
  readonly peakRssBytes: number;
  /** Peak RSS of the long scenario (1024 + 128 tokens, context 2048). */
  readonly peakRss1kBytes: number;
  readonly runs: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Deterministic ordinary-token ids (no special tokens), the same for every engine. */
export function benchPromptIds(length: number, seed = 1): number[] {
  const ids = [2];
  let state = seed >>> 0;
  while (ids.length < length) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    ids.push(1000 + (state % 200_000));
  }
  return ids;
}

/**
 * `short`: 128-token prompt, 128 new tokens (context 512, batch 512): load, time to first token, prefill 128,
 * decode, peak RSS. `long`: 1024-token prompt (context 2048, batch 512): prefill 1024, then 128 new tokens at 1k
 * context. Each scenario runs in its own process so that its peak RSS is its own.
 */
export type LlamaCppScenario = 'short' | 'long';

export interface LlamaCppScenarioResult {
  readonly scenario: LlamaCppScenario;
  readonly loadMs: number;
  readonly bindingMs: number;
  readonly timeToFirstTokenMs?: number;
  readonly prefillTokensPerSecond: number;
  readonly decodeTokensPerSecond: number;
  readonly peakRssBytes: number;
  readonly newTokens: number;
}

export async function measureLlamaCppScenario(
  file: string,
  scenario: LlamaCppScenario,
  { threads = 2, runs = 3, newTokens = 128 }: { threads?: number; runs?: number; newTokens?: number } = {},
): Promise<LlamaCppScenarioResult> {
  const start = performance.now();
  const llama = await getLlama({
    gpu: false,
    build: 'never',
    progressLogs: false,
    logLevel: 'error' as never,
  });
  const bindingMs = performance.now() - start;
  const model = await llama.loadModel({ modelPath: file });
  const contextSize = scenario === 'short' ? 512 : 2048;
  // llama.cpp's default micro-batch (512); with 128 the Q4_0 short decode measured 3-4 tokens/s twice
  const context = await model.createContext({
    contextSize,
    batchSize: 512,
    threads,
    sequences: 1,
  });
  const loadMs = performance.now() - start;
  const sequence = context.getSequence();
  const prompt = (scenario === 'short' ? benchPromptIds(128) : benchPromptIds(1024, 2)) as Token[];

  // prompt -> first token -> `newTokens` tokens; greedy, end-of-generation tokens do not stop it
  let generated = 0;
  async function generate(): Promise<{ firstMs: number; decodeTps: number }> {
    await sequence.clearHistory();
    const t0 = performance.now();
    let first = 0;
    let count = 0;
    for await (const _token of sequence.evaluate(prompt, { temperature: 0, yieldEogToken: true })) {
      count++;
      if (count === 1) first = performance.now();
      if (count >= newTokens) break;
    }
    generated = count;
    const end = performance.now();
    return { firstMs: first - t0, decodeTps: ((count - 1) * 1000) / (end - first) };
  }
  async function prefill(): Promise<number> {
    await sequence.clearHistory();
    const t0 = performance.now();
    await sequence.evaluateWithoutGeneratingNewTokens(prompt);
    return (prompt.length * 1000) / (performance.now() - t0);
  }

  await prefill(); // warm-up: pages the weights in
  const ttft: number[] = [];
  const decode: number[] = [];
  const prefills: number[] = [];
  for (let run = 0; run < runs; run++) {
    const g = await generate();
    ttft.push(g.firstMs);
    decode.push(g.decodeTps);
    prefills.push(await prefill());
  }
  await context.dispose();
  await model.dispose();
  return {
    scenario,
    loadMs,
    bindingMs,
    ...(scenario === 'short' ? { timeToFirstTokenMs: median(ttft) } : {}),
    prefillTokensPerSecond: median(prefills),
    decodeTokensPerSecond: median(decode),
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    newTokens: generated,
  };
}
