import { getLlama, type Token } from 'node-llama-cpp';

/** One llama.cpp measurement of a GGUF file, in a fresh process so peak RSS is its own. */
export interface LlamaCppMeasurement {
  readonly file: string;
  readonly threads: number;
  /** getLlama + loadModel + createContext, ms (mmap: weights are paged in by the first evaluation). */
  readonly loadMs: number;
  /** Of which getLlama (loading the native binding). */
  readonly bindingMs: number;
  /** Prompt of 128 tokens to the first new token (prefill + one decode step), ms; median of runs. */
  readonly timeToFirstTokenMs: number;
  readonly prefill128TokensPerSecond: number;
  readonly prefill1024TokensPerSecond: number;
  /** 128 new tokens after a 128-token prompt: (n - 1) / time from the first token to the last. */
  readonly decodeTokensPerSecond: number;
  /** The same after a 1024-token prompt (1k context). */
  readonly decode1kTokensPerSecond: number;
  readonly peakRssBytes: number;
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

export async function measureLlamaCpp(
  file: string,
  { threads = 2, runs = 3, newTokens = 128 }: { threads?: number; runs?: number; newTokens?: number } = {},
): Promise<LlamaCppMeasurement> {
  const start = performance.now();
  const llama = await getLlama({
    gpu: false,
    build: 'never',
    progressLogs: false,
    logLevel: 'error' as never,
  });
  const bindingMs = performance.now() - start;
  const model = await llama.loadModel({ modelPath: file });
  const context = await model.createContext({ contextSize: 2048, batchSize: 1024, threads, sequences: 1 });
  const loadMs = performance.now() - start;
  const sequence = context.getSequence();
  const short = benchPromptIds(128) as Token[];
  const long = benchPromptIds(1024, 2) as Token[];

  // prompt -> first token -> `newTokens` tokens; greedy, end-of-generation tokens do not stop it
  async function generate(prompt: Token[]): Promise<{ firstMs: number; decodeTps: number }> {
    await sequence.clearHistory();
    const t0 = performance.now();
    let first = 0;
    let count = 0;
    for await (const _token of sequence.evaluate(prompt, { temperature: 0, yieldEogToken: true })) {
      count++;
      if (count === 1) first = performance.now();
      if (count >= newTokens) break;
    }
    const end = performance.now();
    return { firstMs: first - t0, decodeTps: ((count - 1) * 1000) / (end - first) };
  }
  async function prefill(prompt: Token[]): Promise<number> {
    await sequence.clearHistory();
    const t0 = performance.now();
    await sequence.evaluateWithoutGeneratingNewTokens(prompt);
    return (prompt.length * 1000) / (performance.now() - t0);
  }

  await generate(short.slice(0, 16)); // warm-up: pages the weights in
  const ttft: number[] = [];
  const decode: number[] = [];
  const p128: number[] = [];
  const p1024: number[] = [];
  const decode1k: number[] = [];
  for (let run = 0; run < runs; run++) {
    const g = await generate(short);
    ttft.push(g.firstMs);
    decode.push(g.decodeTps);
    p128.push(await prefill(short));
    p1024.push(await prefill(long));
    decode1k.push((await generate(long)).decodeTps);
  }
  await context.dispose();
  await model.dispose();
  return {
    file,
    threads,
    loadMs,
    bindingMs,
    timeToFirstTokenMs: median(ttft),
    prefill128TokensPerSecond: median(p128),
    prefill1024TokensPerSecond: median(p1024),
    decodeTokensPerSecond: median(decode),
    decode1kTokensPerSecond: median(decode1k),
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    runs,
  };
}
