/**
 * Cost of the generation loop itself per new token at Gemma 3's logits width (V = 262208), with a
 * model that returns precomputed logits instantly: what generate() adds on top of the model's step.
 * Run: pnpm --filter @gemma3/generation bench
 */
import { type CausalLanguageModel, type GenerateOptions, generate, TextStreamer } from '../src/index.js';

const V = 262208;
const NEW_TOKENS = 64;

/** Logits like a real LM's: a few dozen plausible tokens, a long tail (deterministic). */
function realisticLogits(seed: number): Float32Array {
  const row = new Float32Array(V);
  let x = seed >>> 0;
  for (let i = 0; i < V; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    row[i] = (x / 2 ** 32) * 4 - 8;
  }
  for (let i = 0; i < 40; i++) row[(i * 7919) % V] = 6 + i / 10;
  return row;
}

function instantModel(batchSize: number): CausalLanguageModel {
  const rows = Array.from({ length: 8 }, (_, i) => realisticLogits(i + 1));
  let step = 0;
  const next = () => {
    const out = new Float32Array(batchSize * V);
    for (let b = 0; b < batchSize; b++) out.set(rows[(step + b) % rows.length] as Float32Array, b * V);
    step++;
    return out;
  };
  return {
    vocabSize: V,
    maxContextLength: 131072,
    startSession: async () => ({
      prefill: async () => next(),
      decode: async () => next(),
      dispose: () => {},
    }),
  };
}

const decode = (ids: readonly number[]) => ids.map((id) => String.fromCharCode(97 + (id % 26))).join('');

const cases: [string, number, Partial<GenerateOptions>][] = [
  ['greedy', 1, {}],
  ['sampling, Gemma 3 defaults (top_k 64, top_p 0.95)', 1, { doSample: true, topK: 64, topP: 0.95 }],
  ['sampling, top_p 0.95 only (top_k 0)', 1, { doSample: true, topK: 0, topP: 0.95 }],
  ['sampling, min_p 0.05, top_k off', 1, { doSample: true, topK: 0, minP: 0.05 }],
  ['greedy + repetition penalty 1.1, 1000-token prompt', 1, { repetitionPenalty: 1.1 }],
  [
    'greedy + stop strings + text streamer',
    1,
    { stopStrings: ['never appears'], decode, streamer: new TextStreamer({ decode, onText: () => {} }) },
  ],
  ['Gemma 3 defaults, batch of 4', 4, { doSample: true, topK: 64, topP: 0.95 }],
];

console.log(`generate() overhead per step at V = ${V}, ${NEW_TOKENS} new tokens, instant model`);
console.log(
  `node ${process.version}, ${process.platform} ${process.arch}, load average ${(await import('node:os')).loadavg()[0]?.toFixed(1)}`,
);
for (const [name, batchSize, options] of cases) {
  const promptLength = name.includes('1000-token') ? 1000 : 8;
  const inputIds = Array.from({ length: batchSize }, (_, b) =>
    Array.from({ length: promptLength }, (_, t) => (t * 31 + b) % V),
  );
  const run = () =>
    generate(instantModel(batchSize), { inputIds, maxNewTokens: NEW_TOKENS, seed: 1, ...options });
  await run(); // warm-up
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const start = performance.now();
    await run();
    times.push((performance.now() - start) / NEW_TOKENS);
  }
  times.sort((a, b) => a - b);
  // The minimum of 5 runs: the machine is shared, and other jobs only ever add time.
  console.log(
    `${name.padEnd(55)} ${(times[0] as number).toFixed(2)} ms/step (best of 5, median ${(times[2] as number).toFixed(2)})`,
  );
}
