/**
 * transformers.js 4.3.2 (@huggingface/transformers on onnxruntime-node, CPU) running our export of the
 * random 1b checkpoint (`exportTransformersJs`, q4), measured like the other engines of compare.ts.
 *
 *   node --conditions=@gemma3/source --import tsx tools/bench/transformers-js.ts [--model DIR]
 *     [--out-dir DIR] [--dtype q4|q8|fp32] [--block-size N] [--threads N]
 *
 * The export is written once into --out-dir (default /tmp/gemma3-tjs-1b; a `bench-export.json` there
 * records the options, a change re-exports). Each measurement then runs in a fresh child process (so
 * load time and peak RSS are its own):
 * - short: load (from_pretrained, session creation), then generate() greedily from a 128-token prompt
 *   for exactly 128 new tokens (min_new_tokens = max_new_tokens: eos never stops it). Time to first
 *   token and prefill 128 come from the streamer's first generated token; decode tokens/s over tokens
 *   2..128.
 * - long: a 1024-token prompt, one new token: prefill 1024 tokens/s.
 * Prompts are seeded random ids in [1000, 200000) (no special tokens). transformers.js computes logits
 * for the last position only during generate (`num_logits_to_keep` = 1, which our export accepts).
 * Prints one JSON object last on stdout with the fields of `Side` in compare.ts.
 */
import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import type { ChildResult } from '../../packages/transformers-js/bench/tjs-engine.js';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: {
    model: { type: 'string', default: '/tmp/gemma3-1b' },
    'out-dir': { type: 'string', default: '/tmp/gemma3-tjs-1b' },
    dtype: { type: 'string', default: 'q4' },
    'block-size': { type: 'string', default: '128' },
    threads: { type: 'string', default: '2' },
    child: { type: 'string' },
  },
});
const model = resolve(values.model as string);
const outDir = resolve(values['out-dir'] as string);
const dtype = values.dtype as 'fp32' | 'q8' | 'q4';
const blockSize = Number(values['block-size']);
const threads = Number(values.threads);
const root = resolve(import.meta.dirname, '../..');
const options = { model, outDir, dtype, blockSize, threads };
// The engine lives in @gemma3/transformers-js (its dependencies resolve from there).
type Engine = typeof import('../../packages/transformers-js/bench/tjs-engine.js');
const engine = (await import(join(root, 'packages/transformers-js/bench/tjs-engine.ts'))) as Engine;

async function measure(kind: 'short' | 'long'): Promise<ChildResult> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [...process.execArgv, import.meta.filename, ...process.argv.slice(2), '--child', kind],
    { maxBuffer: 16 * 1024 * 1024 },
  );
  const start = stdout.lastIndexOf('\n{');
  return JSON.parse(stdout.slice(start + 1)) as ChildResult;
}

if (values.child === 'short' || values.child === 'long') {
  await engine.child(values.child, options);
} else {
  const { exportMs } = await engine.ensureExport(options);
  const short = await measure('short');
  const long = await measure('long');
  const side = {
    engine: 'transformers.js 4.3.2',
    variant: `${dtype} (our export${dtype === 'fp32' ? '' : `, b${blockSize}`})`,
    loadMs: short.loadMs,
    timeToFirstTokenMs: short.timeToFirstTokenMs,
    prefill128: short.promptTokens / (short.timeToFirstTokenMs / 1000),
    prefill1024: long.promptTokens / (long.timeToFirstTokenMs / 1000),
    decode128: short.decodeTokensPerSecond!,
    peakRssBytes: Math.max(short.peakRssBytes, long.peakRssBytes),
    peakRssBytesShort: short.peakRssBytes,
    peakRssBytesLong: long.peakRssBytes,
    exportMs,
    threads,
  };
  console.log(JSON.stringify(side));
}
