/**
 * Issue 8's multimodal path on the `4b` random checkpoint: our engine with the q4 text decoder (blocks of
 * 128, as the text bench) and the quantized vision tower (VISION_DEFAULTS of q4, or --vision), each
 * measurement in a fresh child process (its peak RSS is its own):
 *   - load: cold (built into an emptied cache dir) and cached (session creation included);
 *   - one 896x896 image + a short text prompt through the chat template (~270 tokens): vision encode
 *     per image (after a warm-up), prefill tokens/s (image features from the embedding cache), time to
 *     first token with a new image (its vision encode included), decode tokens/s for 128 new tokens;
 *   - the vision tower alone in each --vision-variants (default fp32 and the chosen one): encode time,
 *     build, file size, peak RSS, and image-feature accuracy against fp32 (cosine per token, max / mean
 *     abs error) plus the relative weight reconstruction error of a few tensors.
 *
 *   node --conditions=@gemma3/source --import tsx tools/bench/multimodal.ts [--model DIR] [--json-out FILE]
 *     [--cache-dir DIR] [--threads 2] [--runs 2] [--new-tokens 128] [--vision VARIANT]
 *     [--vision-variants fp32,default,...] [--skip-e2e] [--skip-cold] [--weights-only] [--prefill same|int8]
 *
 * --prefill: `int8` (default, as the pipeline and `gemma3 bench`: a second, int8 DynamicQuantizeMatMul
 * prefill graph for prompts; on 4b about 3.5 GB more on disk and in memory) or `same` (prompts on the
 * q4 decode graph).
 *
 * --weights-only: only the weight reconstruction errors of the variants (seconds).
 * Variants: `default`, `fp32`, `dqmm8`, `q8b32`, `q4b32`, `q4b128` ... optionally `/projector` (see
 * tools/bench/multimodal/variants.ts). Create the checkpoint once with
 *   node --conditions=@gemma3/source --import tsx apps/cli/src/main.ts create-random --preset 4b --out /tmp/gemma3-4b
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { visionTensorNames } from '../../packages/multimodal-model/src/index.js';
import {
  createVisionWeightOps,
  resolveVisionQuantization,
  visionReconstructionError,
} from '../../packages/quantization/src/index.js';
import { openCheckpoint } from '../../packages/weights/src/index.js';
import { visionOptionsOf } from './multimodal/variants.js';

const run = promisify(execFile);
const { values } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: {
    model: { type: 'string', default: '/tmp/gemma3-4b' },
    'cache-dir': { type: 'string', default: '/tmp/gemma3-mm-bench/cache' },
    'json-out': { type: 'string', default: '/tmp/gemma3-bench-multimodal.json' },
    threads: { type: 'string', default: '2' },
    runs: { type: 'string', default: '2' },
    'new-tokens': { type: 'string', default: '128' },
    vision: { type: 'string', default: 'default' },
    'vision-variants': { type: 'string', default: 'fp32,default' },
    'skip-e2e': { type: 'boolean', default: false },
    'skip-cold': { type: 'boolean', default: false },
    'weights-only': { type: 'boolean', default: false },
    prefill: { type: 'string', default: 'int8' },
  },
});
const root = resolve(import.meta.dirname, '../..');
const model = resolve(values.model as string);
const cacheDir = resolve(values['cache-dir'] as string);
const threads = values.threads as string;
const runs = values.runs as string;
const vision = values.vision as string;
const variants = (values['vision-variants'] as string).split(',').filter(Boolean);
const work = join(cacheDir, '..', 'work');
const tsNode = [
  ...process.execArgv.filter((a) => !a.startsWith('--conditions')),
  '--conditions=@gemma3/source',
];
const child = join(root, 'tools/bench/multimodal/child.ts');

if (!existsSync(join(model, 'config.json'))) {
  console.error(
    `no checkpoint at ${model}: create it with\n  node --conditions=@gemma3/source --import tsx apps/cli/src/main.ts create-random --preset 4b --out ${model}`,
  );
  process.exit(2);
}

type Json = Record<string, unknown>;
const log = (line: string) => process.stderr.write(`${line}\n`);
const load = () => loadavg().map((x) => Number(x.toFixed(2)));

/** One child process; returns the JSON object it printed last, with the load average around it. */
async function measure(args: string[]): Promise<Json> {
  const before = load();
  const startedAt = new Date().toISOString();
  const { stdout } = await run(process.execPath, [...tsNode, child, ...args], {
    cwd: root,
    maxBuffer: 64 * 1024 * 1024,
  });
  const lines = stdout.trim().split('\n');
  return { ...(JSON.parse(lines.at(-1)!) as Json), startedAt, loadBefore: before, loadAfter: load() };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const sec = (ms: unknown) => `${((ms as number) / 1000).toFixed(2)} s`;
const mb = (bytes: unknown) => `${Math.round((bytes as number) / 1e6)} MB`;

function compareFeatures(reference: Float32Array, test: Float32Array, width: number): Json {
  let maxAbs = 0;
  let sumAbs = 0;
  let largest = 0;
  let minCos = 1;
  let sumCos = 0;
  const rows = reference.length / width;
  for (let r = 0; r < rows; r++) {
    let dot = 0;
    let na = 0;
    let nb = 0;
    for (let i = r * width; i < (r + 1) * width; i++) {
      const a = reference[i]!;
      const b = test[i]!;
      dot += a * b;
      na += a * a;
      nb += b * b;
      maxAbs = Math.max(maxAbs, Math.abs(a - b));
      sumAbs += Math.abs(a - b);
      largest = Math.max(largest, Math.abs(a));
    }
    const c = dot / Math.sqrt(na * nb);
    minCos = Math.min(minCos, c);
    sumCos += c;
  }
  return {
    cosineMean: sumCos / rows,
    cosineMin: minCos,
    maxAbs,
    meanAbs: sumAbs / reference.length,
    maxAbsOfLargest: maxAbs / largest,
  };
}

/** ||W - deq(W)|| / ||W|| of a few vision tensors, per variant (the weight rounding alone). */
async function weightErrors(names: string[]): Promise<Json> {
  const checkpoint = await openCheckpoint(model);
  try {
    const t = visionTensorNames(checkpoint);
    const config = JSON.parse(await readFile(join(model, 'config.json'), 'utf8')) as {
      vision_config: { hidden_size: number; intermediate_size: number; num_hidden_layers: number };
      text_config: { hidden_size: number };
    };
    const h = config.vision_config.hidden_size;
    const inter = config.vision_config.intermediate_size;
    const mid = Math.floor(config.vision_config.num_hidden_layers / 2);
    const tensors = [
      { label: 'layers.0.q_proj', name: t.layers[0]!.q.weight, rows: h, cols: h, module: 'visionTower' },
      { label: 'layers.0.fc1', name: t.layers[0]!.fc1.weight, rows: inter, cols: h, module: 'visionTower' },
      { label: 'layers.0.fc2', name: t.layers[0]!.fc2.weight, rows: h, cols: inter, module: 'visionTower' },
      {
        label: `layers.${mid}.fc1`,
        name: t.layers[mid]!.fc1.weight,
        rows: inter,
        cols: h,
        module: 'visionTower',
      },
      // Stored [Hv, Ht]; its rows as the linear op sees them ([Ht, Hv]) only change the block direction.
      {
        label: 'projector',
        name: t.inputProjection,
        rows: h,
        cols: config.text_config.hidden_size,
        module: 'projector',
        transposed: true,
      },
    ] as const;
    const out: Json = {};
    for (const tensor of tensors) {
      let w = await checkpoint.readFloat32(tensor.name);
      let rows: number = tensor.rows;
      let cols: number = tensor.cols;
      if ('transposed' in tensor) {
        const tr = new Float32Array(w.length);
        for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) tr[c * rows + r] = w[r * cols + c]!;
        w = tr;
        [rows, cols] = [cols, rows];
      }
      const row: Json = {};
      for (const v of names) {
        const resolved = resolveVisionQuantization(visionOptionsOf(v));
        row[v] = visionReconstructionError(w, rows, cols, resolved[tensor.module]);
      }
      out[tensor.label] = row;
    }
    return out;
  } finally {
    await checkpoint.close();
  }
}

await mkdir(work, { recursive: true });
const results: Json = {
  model,
  threads: Number(threads),
  text: 'q4 b128 (MatMulNBits, symmetric, accuracy level 4)',
  vision,
  visionCacheKey: createVisionWeightOps(visionOptionsOf(vision)).cacheKey,
  startedAt: new Date().toISOString(),
};
const newTokens = values['new-tokens'] as string;
const prefill = values.prefill as string;
results.prefill = prefill;

const weightsOnly = values['weights-only'] as boolean;
if (!(values['skip-e2e'] as boolean) && !weightsOnly) {
  if (!(values['skip-cold'] as boolean)) {
    await rm(cacheDir, { recursive: true, force: true });
    log(`cold load (build ${model} into ${cacheDir}) ...`);
    results.loadCold = await measure(['load', model, cacheDir, vision, threads, prefill]);
  }
  log('cached load ...');
  results.loadCached = await measure(['load', model, cacheDir, vision, threads, prefill]);
  log('image prompt: vision encode, prefill, time to first token, decode ...');
  results.run = await measure(['run', model, cacheDir, vision, threads, runs, newTokens, prefill]);
}

const visionRuns: Json[] = [];
for (const v of weightsOnly ? [] : variants) {
  log(`vision tower alone: ${v} ...`);
  const file = join(work, `features-${v.replaceAll('/', '_')}.bin`);
  visionRuns.push({ ...(await measure(['vision', model, cacheDir, v, file, '1', runs, threads])), file });
}
results.visionVariants = visionRuns;
const modelConfig = JSON.parse(await readFile(join(model, 'config.json'), 'utf8')) as {
  text_config: { hidden_size: number };
  vision_config: { image_size: number };
};
const width = modelConfig.text_config.hidden_size;
const size = modelConfig.vision_config.image_size;
const fp32 = visionRuns.find((r) => r.variant === 'fp32');
if (fp32) {
  const readFeatures = async (file: unknown) => {
    const raw = await readFile(file as string);
    return new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
  };
  const reference = await readFeatures(fp32.file);
  for (const r of visionRuns) {
    if (r !== fp32) r.accuracy = compareFeatures(reference, await readFeatures(r.file), width);
  }
}
log('weight reconstruction errors ...');
results.weightErrors = await weightErrors(variants);
results.finishedAt = new Date().toISOString();

// Markdown.
const lines: string[] = [];
lines.push(
  `## Multimodal bench: ${model} (text q4 b128${prefill === 'int8' ? ' + int8 prefill graph' : ''}, vision \`${vision}\` = ${results.visionCacheKey}, ${threads} threads)`,
  '',
);
if (results.run) {
  const c = results.loadCold as Json | undefined;
  const w = results.loadCached as Json;
  const r = results.run as Json;
  lines.push('| measure | value | peak RSS |', '| --- | --- | --- |');
  if (c) {
    lines.push(
      `| load, cold (build into an empty cache; decoder ${mb(c.decoderBytes)} + vision ${mb(c.visionBytes)} written) | ${sec(c.loadMs)} | ${mb(c.peakRssBytes)} |`,
    );
  }
  lines.push(`| load, cached (sessions created) | ${sec(w.loadMs)} | ${mb(w.peakRssBytes)} |`);
  lines.push(
    `| vision encode, one ${size}x${size} image (median of ${(r.encodeMs as number[]).length}) | ${sec(median(r.encodeMs as number[]))} | |`,
  );
  lines.push(
    `| prefill, ${r.promptTokens} tokens (1 image + text, chat template; image features cached) | ${(r.prefillTokensPerSecond as number).toFixed(1)} tokens/s (${sec(median(r.prefillMs as number[]))}) | |`,
  );
  lines.push(`| time to first token (new image: encode + prefill) | ${sec(r.timeToFirstTokenMs)} | |`);
  lines.push(
    `| decode, ${r.newTokens} new tokens | ${(r.decodeTokensPerSecond as number).toFixed(2)} tokens/s | ${mb(r.peakRssBytes)} (whole run) |`,
  );
  lines.push('');
}
lines.push(
  '| vision variant | cache key | encode per image (median) | vs fp32 | file | build | peak RSS | feature cosine mean (min) | max abs (of max abs feature) | mean abs |',
  '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
);
for (const r of visionRuns) {
  const a = r.accuracy as Json | undefined;
  const speed = fp32 ? `${((fp32.medianMs as number) / (r.medianMs as number)).toFixed(2)}x` : '';
  lines.push(
    `| ${r.variant} | ${r.cacheKey} | ${sec(r.medianMs)} | ${speed} | ${mb(r.externalBytes)} | ${r.cacheHit ? 'cached' : sec(r.buildMs)} | ${mb(r.peakRssBytes)} | ${
      a ? `${(a.cosineMean as number).toFixed(5)} (${(a.cosineMin as number).toFixed(5)})` : 'reference'
    } | ${a ? `${(a.maxAbs as number).toExponential(2)} (${(100 * (a.maxAbsOfLargest as number)).toFixed(2)}%)` : ''} | ${
      a ? (a.meanAbs as number).toExponential(2) : ''
    } |`,
  );
}
lines.push('', `| tensor | ${variants.join(' | ')} |`, `| --- |${variants.map(() => ' --- |').join('')}`);
for (const [label, row] of Object.entries(results.weightErrors as Record<string, Json>)) {
  lines.push(
    `| ${label} | ${variants.map((v) => `${(100 * (row[v] as number)).toFixed(2)}%`).join(' | ')} |`,
  );
}
console.log(lines.join('\n'));
await writeFile(values['json-out'] as string, `${JSON.stringify(results, null, 2)}\n`);
console.log(JSON.stringify(results));
