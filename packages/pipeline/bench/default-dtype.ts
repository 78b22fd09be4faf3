/**
 * Which dtype should pipeline() and `gemma3 run/chat/serve` load by default? Accuracy and speed of
 * q8 and q4 against fp32, through pipeline() as a user gets them (default options of each dtype).
 *
 *   node apps/cli/bin/gemma3.js create-random --preset 1b --out /tmp/gemma3-1b   (or from the sources)
 *   node --conditions=@gemma3/source --import tsx packages/pipeline/bench/default-dtype.ts /tmp/gemma3-1b
 *
 * Accuracy: teacher-forced logits of every position of one prompt (`model.forward`, logits 'all'):
 * top-1 agreement with fp32, and KL(fp32 || dtype) of the next-token distributions (nats; mean, max).
 * Speed: one greedy call (`generator(prompt, { maxNewTokens })`), prefill ms and decode tokens/s, and
 * the load time (a cold build when the dtype is not in the cache). Env: GEMMA3_DTYPE_CACHE (graph
 * cache, default $TMPDIR/gemma3-dtype-cache), GEMMA3_DTYPE_NEW_TOKENS (default 16).
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from '../src/index.js';

const dir = process.argv[2] ?? join(tmpdir(), 'gemma3-1b');
const cacheDir = process.env.GEMMA3_DTYPE_CACHE ?? join(tmpdir(), 'gemma3-dtype-cache');
const newTokens = Number(process.env.GEMMA3_DTYPE_NEW_TOKENS ?? 16);
const text =
  'The quick brown fox jumps over the lazy dog. Local language models run on a laptop when their ' +
  'weights are small enough: eight-bit and four-bit quantization trade a little accuracy for memory ' +
  'and speed, and a careful engineer measures both before choosing a default for everyone.';

/** log-softmax of each row of a [T, V] block. */
function logSoftmax(logits: Float32Array, vocab: number): Float32Array {
  const out = new Float32Array(logits.length);
  for (let row = 0; row < logits.length / vocab; row++) {
    const base = row * vocab;
    let max = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < vocab; i++) max = Math.max(max, logits[base + i]!);
    let sum = 0;
    for (let i = 0; i < vocab; i++) sum += Math.exp(logits[base + i]! - max);
    const log = max + Math.log(sum);
    for (let i = 0; i < vocab; i++) out[base + i] = logits[base + i]! - log;
  }
  return out;
}

function argmax(row: Float32Array): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i]! > row[best]!) best = i;
  return best;
}

let reference: Float32Array | undefined;
const rows: string[] = [];
for (const dtype of ['fp32', 'q8', 'q4'] as const) {
  const generator = await pipeline('text-generation', dir, { dtype, cacheDir, progress: false });
  const ids = generator.tokenizer.encode(text);
  const vocab = generator.model.vocabSize;
  const forward = await (generator.model as import('@gemma3/text-model').Gemma3ForCausalLM).forward({
    inputIds: [ids],
    logits: 'all',
  });
  const logProbs = logSoftmax(forward.logits.data as Float32Array, vocab);
  reference ??= logProbs;
  let agree = 0;
  let klSum = 0;
  let klMax = 0;
  for (let t = 0; t < ids.length; t++) {
    const p = reference.subarray(t * vocab, (t + 1) * vocab);
    const q = logProbs.subarray(t * vocab, (t + 1) * vocab);
    if (argmax(p) === argmax(q)) agree++;
    let kl = 0;
    for (let i = 0; i < vocab; i++) kl += Math.exp(p[i]!) * (p[i]! - q[i]!);
    klSum += kl;
    klMax = Math.max(klMax, kl);
  }
  const out = await generator(text, { maxNewTokens: newTokens, temperature: 0 });
  rows.push(
    `| ${dtype} | ${agree}/${ids.length} (${((100 * agree) / ids.length).toFixed(0)}%) | ${(klSum / ids.length).toExponential(2)} | ${klMax.toExponential(2)} | ${out.timings.prefillMs.toFixed(0)} | ${out.timings.tokensPerSecond.toFixed(1)} | ${(out.timings.loadMs / 1000).toFixed(1)} |`,
  );
  process.stderr.write(`${rows.at(-1)}\n`);
  await generator.dispose();
}
console.log(`${dir}, ${text.length} characters of prompt, ${newTokens} new tokens (greedy)\n`);
console.log(
  '| dtype | top-1 agreement with fp32 | KL(fp32 || dtype), mean (nats) | KL max | prefill ms | decode tokens/s | load s |',
);
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const row of rows) console.log(row);
