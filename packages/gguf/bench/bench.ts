/**
 * llama.cpp figures for the issue-8 comparisons: converts a Gemma 3 checkpoint (default the `1b`
 * random checkpoint) to Q4_0 and Q8_0 GGUF and measures each with node-llama-cpp 3.21.1 (2 threads)
 * in its own process. Prints a table, then JSON (also written to --json-out when given).
 *
 *   pnpm --filter @gemma3/gguf bench [-- --model DIR --types Q4_0,Q8_0 --runs 3 --out-dir DIR --json-out FILE]
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { convertToGguf, type GgufFileType, loadGemma3Vocab } from '../src/index.js';
import {
  type LlamaCppMeasurement,
  type LlamaCppScenario,
  type LlamaCppScenarioResult,
  measureLlamaCppScenario,
} from './measure-llama-cpp.js';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: {
    model: { type: 'string', default: '/tmp/gemma3-bench-1b' },
    types: { type: 'string', default: 'Q4_0,Q8_0' },
    runs: { type: 'string', default: '3' },
    threads: { type: 'string', default: '2' },
    'out-dir': { type: 'string', default: '/tmp/gemma3-gguf' },
    'json-out': { type: 'string' },
    measure: { type: 'string' },
    scenario: { type: 'string', default: 'short' },
    reconvert: { type: 'boolean', default: false },
  },
});

if (values.measure !== undefined) {
  // child: measure one file and print its JSON on the last line
  const result = await measureLlamaCppScenario(values.measure, values.scenario as LlamaCppScenario, {
    threads: Number(values.threads),
    runs: Number(values.runs),
  });
  console.log(JSON.stringify(result));
  process.exit(0);
}

const model = values.model as string;
if (
  !existsSync(join(model, 'model.safetensors')) &&
  !existsSync(join(model, 'model.safetensors.index.json'))
) {
  console.error(
    `${model}: no checkpoint. Create one: node apps/cli/bin/gemma3.js create-random --preset 1b --out ${model}`,
  );
  process.exit(1);
}
const outDir = values['out-dir'] as string;
await mkdir(outDir, { recursive: true });
const types = (values.types as string).split(',') as GgufFileType[];
const config = JSON.parse(
  await (await import('node:fs/promises')).readFile(join(model, 'config.json'), 'utf8'),
);
const vocab = await loadGemma3Vocab(model, config.vocab_size ?? config.text_config?.vocab_size);
const self = fileURLToPath(import.meta.url);
const results: (LlamaCppMeasurement & { type: string; fileBytes: number; convertMs: number | null })[] = [];
for (const type of types) {
  const file = join(outDir, `${model.split('/').filter(Boolean).pop()}-${type}.gguf`);
  let convertMs: number | null = null;
  if (values.reconvert || !existsSync(file)) {
    const t0 = performance.now();
    await convertToGguf(model, file, { type, vocab });
    convertMs = performance.now() - t0;
    console.error(`converted ${file} in ${(convertMs / 1000).toFixed(1)} s`);
  }
  const scenario = async (name: LlamaCppScenario): Promise<LlamaCppScenarioResult> => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        ...process.execArgv,
        self,
        '--measure',
        file,
        '--scenario',
        name,
        '--runs',
        values.runs as string,
        '--threads',
        values.threads as string,
      ],
      { maxBuffer: 16 * 1024 * 1024 },
    );
    return JSON.parse(stdout.trim().split('\n').pop() as string) as LlamaCppScenarioResult;
  };
  const short = await scenario('short');
  const long = await scenario('long');
  const measured: LlamaCppMeasurement = {
    file,
    threads: Number(values.threads),
    loadMs: short.loadMs,
    bindingMs: short.bindingMs,
    timeToFirstTokenMs: short.timeToFirstTokenMs as number,
    prefill128TokensPerSecond: short.prefillTokensPerSecond,
    prefill1024TokensPerSecond: long.prefillTokensPerSecond,
    decodeTokensPerSecond: short.decodeTokensPerSecond,
    decode1kTokensPerSecond: long.decodeTokensPerSecond,
    peakRssBytes: short.peakRssBytes,
    peakRss1kBytes: long.peakRssBytes,
    runs: Number(values.runs),
  };
  const { size } = await (await import('node:fs/promises')).stat(file);
  results.push({ ...measured, type, fileBytes: size, convertMs });
}

const fmt = (n: number, d = 1) => n.toFixed(d);
console.log(
  '| llama.cpp (node-llama-cpp 3.21.1) | file | load | TTFT (128) | prefill 128 | prefill 1024 | decode 128 | decode @1k | peak RSS (128 / 1k) |',
);
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const r of results) {
  console.log(
    `| ${r.type} | ${fmt(r.fileBytes / 1e9, 2)} GB | ${fmt(r.loadMs, 0)} ms | ${fmt(r.timeToFirstTokenMs, 0)} ms | ${fmt(r.prefill128TokensPerSecond)} tok/s | ${fmt(r.prefill1024TokensPerSecond)} tok/s | ${fmt(r.decodeTokensPerSecond)} tok/s | ${fmt(r.decode1kTokensPerSecond)} tok/s | ${fmt(r.peakRssBytes / 1e9, 2)} / ${fmt(r.peakRss1kBytes / 1e9, 2)} GB |`,
  );
}
const json = JSON.stringify(
  { engine: 'llama.cpp', package: 'node-llama-cpp@3.21.1', model, results },
  null,
  2,
);
console.log(json);
if (values['json-out']) await writeFile(values['json-out'], json);
