/**
 * Child process of accuracy.ts: one GGUF file in llama.cpp (node-llama-cpp 3.21.1, CPU, 2 threads) over
 * the shared token ids, each position's next-token distribution compared with the fp32 reference file.
 *
 * node-llama-cpp gives no raw logits, but `controlledEvaluate` with `generateNext: { probabilities: true }`
 * returns, for each input token asked, the softmax over the **whole vocabulary** (262144 entries) of the
 * logits of that position: with the default greedy sampler (temperature 0) the candidate list is every
 * token's logit unfiltered, and node-llama-cpp's addon normalizes them in float32 (AddonContext.cpp,
 * SampleToken). So KL and log-prob differences are over the full vocabulary; logit differences are not
 * available (the softmax drops the shift).
 *
 * The ids are fed as tokens (no tokenization, no BOS added: the sequences start with BOS 2 themselves),
 * so llama.cpp's output at input index i is the distribution after token i, as our logits[i].
 */
import { loadavg } from 'node:os';
import { getLlama, type Token } from 'node-llama-cpp';
import { AgreementAccumulator, type AgreementStats, ReferenceLogits } from './accuracy-metrics.js';

export interface LlamaCppJob {
  readonly file: string;
  readonly threads: number;
  readonly ids: readonly (readonly number[])[];
  readonly referencePath: string;
  /** The checkpoint's vocab_size (the reference's row length; each position must give this many). */
  readonly vocabSize: number;
  /**
   * Tokens per controlledEvaluate call: each call is one llama_decode batch over the tokens after
   * those already in the sequence (1: token by token, as generation decodes). Bounded by memory: the
   * probabilities of a call's positions are held until it returns (~20 MB each as a Map).
   */
  readonly chunk: number;
  /** Positions from here on are also summarized apart (`tail`: those our `generate` mode covers). */
  readonly tailFrom: number;
}

export interface LlamaCppResult {
  readonly file: string;
  readonly chunk: number;
  /** llama.cpp's KV cache types (its defaults: f16). */
  readonly kvCache: string;
  readonly stats: AgreementStats;
  readonly tail: AgreementStats;
  readonly seconds: number;
  /** Of which in controlledEvaluate (decoding, and the addon's softmax and sort of each position's vocabulary). */
  readonly evaluateSeconds: number;
  readonly loadavg: number[];
}

export async function measureLlamaCpp(job: LlamaCppJob): Promise<LlamaCppResult> {
  const llama = await getLlama({
    gpu: false,
    build: 'never',
    progressLogs: false,
    logLevel: 'error' as never,
  });
  const model = await llama.loadModel({ modelPath: job.file });
  const T = (job.ids[0] as readonly number[]).length;
  const context = await model.createContext({
    contextSize: Math.max(512, T),
    batchSize: 512,
    threads: job.threads,
    sequences: 1,
  });
  const kvCache = `K ${String(model.defaultContextKvCacheKeyType)}, V ${String(model.defaultContextKvCacheValueType)}`;
  const V = job.vocabSize;
  const reference = ReferenceLogits.open(job.referencePath, T, V);
  const acc = new AgreementAccumulator(V);
  const tail = new AgreementAccumulator(V);
  const ref = new Float32Array(V);
  const probabilities = new Float32Array(V);
  const started = performance.now();
  let evaluateMs = 0;
  try {
    for (let s = 0; s < job.ids.length; s++) {
      const ids = job.ids[s] as readonly number[];
      const sequence = context.getSequence();
      try {
        for (let start = 0; start < T; start += job.chunk) {
          const tokens = ids.slice(start, start + job.chunk);
          const t0 = performance.now();
          const out = await sequence.controlledEvaluate(
            tokens.map((id) => [id as Token, { generateNext: { probabilities: true } }]),
          );
          evaluateMs += performance.now() - t0;
          for (let i = 0; i < tokens.length; i++) {
            const map = out[i]?.next.probabilities;
            if (map === undefined || map.size !== V) {
              throw new RangeError(
                `${job.file}: position ${start + i} of sequence ${s}: ${map?.size ?? 0} probabilities, expected ${V}`,
              );
            }
            for (const [token, p] of map) probabilities[token] = p;
            reference.read(s, start + i, ref);
            acc.add(ref, probabilities, 'probabilities');
            if (start + i >= job.tailFrom) tail.add(ref, probabilities, 'probabilities');
          }
        }
      } finally {
        sequence.dispose();
      }
    }
  } finally {
    reference.close();
    await context.dispose();
    await model.dispose();
  }
  return {
    file: job.file,
    chunk: job.chunk,
    kvCache: kvCache,
    stats: acc.stats(),
    tail: tail.stats(),
    seconds: (performance.now() - started) / 1000,
    evaluateSeconds: evaluateMs / 1000,
    loadavg: loadavg(),
  };
}
