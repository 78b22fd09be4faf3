/**
 * A paired A/B of onnxruntime session settings (or dtypes) on one checkpoint: both variants loaded in
 * one process, then rounds alternating A and B (order flipped every round) of one greedy generation
 * (a prompt of --prompt-tokens, --new-tokens tokens). Medians of time to first token and decode
 * tokens/s per variant, and B / A.
 *
 *   node --conditions=@gemma3/source --import tsx tools/bench/session-ab.ts \
 *     [--model /tmp/gemma3-1b] [--a 'q4'] [--b 'q4 session.dynamic_block_base=4'] [--rounds 5]
 *
 * A variant is a dtype (q4, q8, fp32), optionally `bN` (q4 block size), `tN` (intra-op threads),
 * `head8` (embedding and LM head at q8) and
 * `key=value` session config entries (onnxruntime's `session.*` keys), separated by spaces.
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { AutoModel } from '../../packages/pipeline/src/index.js';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    model: { type: 'string', default: '/tmp/gemma3-1b' },
    a: { type: 'string', default: 'q4' },
    b: { type: 'string', default: 'q4 session.dynamic_block_base=4' },
    rounds: { type: 'string', default: '5' },
    'prompt-tokens': { type: 'string', default: '128' },
    'new-tokens': { type: 'string', default: '64' },
    'cache-dir': { type: 'string', default: '/tmp/gemma3-cli-bench/cache' },
  },
});

async function load(spec: string) {
  const [dtype, ...rest] = spec.split(/\s+/);
  let threads = 2;
  let blockSize: 16 | 32 | 64 | 128 | 256 | undefined;
  const extra: Record<string, string> = {};
  let modules: Record<string, 'q8' | 'q4' | 'fp32'> | undefined;
  for (const part of rest) {
    if (/^t\d+$/.test(part)) threads = Number(part.slice(1));
    else if (part === 'head8') modules = { embedding: 'q8', lmHead: 'q8' };
    else if (/^b\d+$/.test(part)) blockSize = Number(part.slice(1)) as 16 | 32 | 64 | 128 | 256;
    else {
      const [key, value] = part.split('=');
      if (key === undefined || value === undefined) throw new Error(`bad variant part "${part}"`);
      extra[key] = value;
    }
  }
  const model = await AutoModel.fromFolder(values.model as string, {
    dtype: dtype as 'q4' | 'q8' | 'fp32',
    ...(blockSize === undefined ? {} : { quantization: { blockSize } }),
    ...(modules === undefined ? {} : { modules }),
    cacheDir: values['cache-dir'] as string,
    kind: 'text',
    session: { intraOpThreads: threads, extra },
  });
  if ('details' in model) throw new Error('expected a text model');
  return model;
}

const promptTokens = Number(values['prompt-tokens']);
const newTokens = Number(values['new-tokens']);
const ids = Array.from({ length: promptTokens }, (_, i) => 3 + ((i * 7919) % 200_000));
const variants = { A: values.a as string, B: values.b as string };
const models = { A: await load(variants.A), B: await load(variants.B) };
const results: Record<'A' | 'B', { ttft: number[]; decode: number[] }> = {
  A: { ttft: [], decode: [] },
  B: { ttft: [], decode: [] },
};
async function once(which: 'A' | 'B') {
  const stamps: number[] = [];
  const started = performance.now();
  await models[which].generate({
    inputIds: [ids],
    maxNewTokens: newTokens,
    minNewTokens: newTokens,
    doSample: false,
    streamer: { onTokens: () => void stamps.push(performance.now()) },
  });
  return { ttft: stamps[0]! - started, decode: ((newTokens - 1) * 1000) / (stamps.at(-1)! - stamps[0]!) };
}
await once('A');
await once('B'); // warm-up
const load0 = loadavg()[0]!;
for (let r = 0; r < Number(values.rounds); r++) {
  for (const which of r % 2 === 0 ? (['A', 'B'] as const) : (['B', 'A'] as const)) {
    const { ttft, decode } = await once(which);
    results[which].ttft.push(ttft);
    results[which].decode.push(decode);
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const m = {
  A: { ttft: median(results.A.ttft), decode: median(results.A.decode) },
  B: { ttft: median(results.B.ttft), decode: median(results.B.decode) },
};
console.log(`load average ${load0.toFixed(2)} -> ${loadavg()[0]!.toFixed(2)}; ${values.rounds} rounds`);
for (const which of ['A', 'B'] as const) {
  console.log(
    `${which} [${variants[which]}]: TTFT ${m[which].ttft.toFixed(0)} ms, decode ${m[which].decode.toFixed(2)} tok/s (all: ${results[which].decode.map((d) => d.toFixed(1)).join(' ')})`,
  );
}
console.log(
  `B/A: TTFT ${(m.B.ttft / m.A.ttft).toFixed(3)}x, decode ${(m.B.decode / m.A.decode).toFixed(3)}x`,
);
await models.A.dispose();
await models.B.dispose();
