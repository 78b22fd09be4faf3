/**
 * Where one vision encode's time goes: builds (or reuses) a vision variant of the multimodal bench,
 * encodes one seeded image as a warm-up and once more under onnxruntime's profiler, and prints the
 * profiled run's kernel time per op type and per part of a layer, beside each part's FLOPs (from the
 * config: linears 2 P K N each, attention products 4 heads P^2 D, the rest elementwise).
 *
 *   node --conditions=@gemma3/source --import tsx tools/bench/multimodal/profile.ts
 *     [--model /tmp/gemma3-4b] [--cache-dir /tmp/gemma3-mm-bench/cache] [--variant default]
 *     [--attention fused|ops] [--threads 2] [--out-dir /tmp/gemma3-mm-profile]
 */
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadMultimodalConfig, loadVisionEncoder } from '../../../packages/multimodal-model/src/index.js';
import { createVisionWeightOps } from '../../../packages/quantization/src/index.js';
import { seededPixels, visionOptionsOf } from './variants.js';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: '/tmp/gemma3-4b' },
    'cache-dir': { type: 'string', default: '/tmp/gemma3-mm-bench/cache' },
    variant: { type: 'string', default: 'default' },
    attention: { type: 'string', default: 'fused' },
    threads: { type: 'string', default: '2' },
    'out-dir': { type: 'string', default: '/tmp/gemma3-mm-profile' },
  },
});
const attention = values.attention as 'fused' | 'ops';
if (attention !== 'fused' && attention !== 'ops') throw new Error(`--attention must be fused or ops`);
const outDir = values['out-dir']!;
await mkdir(outDir, { recursive: true });
const prefix = `vision-${values.variant!.replace(/\W/g, '_')}-${attention}`;
const config = await loadMultimodalConfig(values.model!);
const v = config.vision_config;
const loaded = await loadVisionEncoder(values.model!, config, {
  cacheDir: values['cache-dir']!,
  weightOps: createVisionWeightOps(visionOptionsOf(values.variant!)),
  attention,
  session: {
    intraOpThreads: Number(values.threads),
    interOpThreads: 1,
    profileFilePrefix: join(outDir, prefix),
  },
});
const pixels = { data: seededPixels(v.image_size), dims: [1, 3, v.image_size, v.image_size] };
const wall: number[] = [];
for (let r = 0; r < 2; r++) {
  const t = performance.now();
  await loaded.encoder.run(pixels);
  wall.push(performance.now() - t);
}
await loaded.encoder.release(); // writes the profile
const file = (await readdir(outDir))
  .filter((f) => f.startsWith(`${prefix}_`) && f.endsWith('.json'))
  .sort()
  .at(-1);
if (!file) throw new Error(`no onnxruntime profile ${prefix}_*.json in ${outDir}`);

interface ProfileEvent {
  cat: string;
  name: string;
  ts: number;
  dur: number;
  args?: { op_name?: string };
}
const events = JSON.parse(await readFile(join(outDir, file), 'utf8')) as ProfileEvent[];
const runs = events.filter((e) => e.name === 'model_run');
const last = runs.at(-1)!;
const nodes = events.filter((e) => e.cat === 'Node' && e.name.endsWith('_kernel_time') && e.ts >= last.ts);

/** The part of a layer a node belongs to, from the names the vision graph gives its nodes. */
function partOf(name: string, op: string): string {
  if (/attn\.qkv\.weight/.test(name)) return 'linear q/k/v';
  if (/out_proj\.weight/.test(name)) return 'linear out_proj';
  if (/fc1\.weight/.test(name)) return 'linear fc1';
  if (/fc2\.weight/.test(name)) return 'linear fc2';
  if (op === 'MultiHeadAttention' || /attn\.(scores|probs|out|split|qkv_|q$|k$|v$|merged)/.test(name))
    return 'attention core (QK^T, softmax, AV, head layout)';
  if (/Gelu/.test(op)) return 'gelu (+ fc1 bias)';
  if (/LayerNorm/.test(op)) return 'layer norms';
  if (op === 'Add') return 'bias / residual adds';
  return 'patch embedding, projector, other';
}
const P = (v.image_size / v.patch_size) ** 2;
const H = v.hidden_size;
const L = v.num_hidden_layers;
const I = v.intermediate_size;
const flopsOf: Record<string, number> = {
  'linear q/k/v': 2 * P * H * 3 * H * L,
  'linear out_proj': 2 * P * H * H * L,
  'linear fc1': 2 * P * H * I * L,
  'linear fc2': 2 * P * I * H * L,
  'attention core (QK^T, softmax, AV, head layout)': 4 * P * P * H * L,
};
const byOp = new Map<string, number>();
const byPart = new Map<string, number>();
let total = 0;
for (const e of nodes) {
  const op = e.args?.op_name ?? '?';
  byOp.set(op, (byOp.get(op) ?? 0) + e.dur);
  const part = partOf(e.name, op);
  byPart.set(part, (byPart.get(part) ?? 0) + e.dur);
  total += e.dur;
}
const sec = (us: number) => `${(us / 1e6).toFixed(2)} s`;
const share = (us: number) => `${((100 * us) / total).toFixed(1)}%`;
console.log(
  `${values.variant} (${attention} attention), ${values.threads} threads: wall ${wall.map((w) => (w / 1000).toFixed(2)).join(' / ')} s (warm-up / profiled), profiled kernels ${sec(total)}; profile ${join(outDir, file)}`,
);
console.log('\n| op type | time | share |\n| --- | --- | --- |');
for (const [op, us] of [...byOp].sort((a, b) => b[1] - a[1]))
  console.log(`| ${op} | ${sec(us)} | ${share(us)} |`);
console.log('\n| part | time | share | GFLOP | GFLOP/s |\n| --- | --- | --- | --- | --- |');
for (const [part, us] of [...byPart].sort((a, b) => b[1] - a[1])) {
  const f = flopsOf[part];
  console.log(
    `| ${part} | ${sec(us)} | ${share(us)} | ${f ? (f / 1e9).toFixed(0) : ''} | ${f ? (f / (us / 1e6) / 1e9).toFixed(0) : ''} |`,
  );
}
