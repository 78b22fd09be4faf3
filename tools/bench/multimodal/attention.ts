/**
 * One SigLIP layer's attention core (biased qkv [1, P, 3 Hv] -> [1, P, Hv]) as each graph variant of
 * @gemma3/multimodal-model builds it, interleaved round by round so a shared machine's load hits every
 * variant alike; plus the GEMM ceilings of this machine (float32 MatMul, int8 DynamicQuantizeMatMul and
 * MatMulInteger on one [P, Hv] x [Hv, 4304] product). Median ms per variant, its share of the float
 * attention's, and each variant's output against float32 MatMul/Softmax/MatMul (cosine per token).
 *
 *   node --conditions=@gemma3/source --import tsx tools/bench/multimodal/attention.ts [P heads headDim rounds threads variants]
 *   (default 4096 16 72 3 2: one 896x896 image on the 4b tower; variants comma-separated, default all)
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  fusedAttention,
  opsAttention,
} from '../../../packages/multimodal-model/src/graph/vision-attention.js';
import {
  type Feeds,
  GraphBuilder,
  OnnxSession,
  saveModel,
  tensor,
} from '../../../packages/onnx/src/index.js';
import { seededFloats } from '../seeded-floats.js';
import { type Int8AttentionOptions, int8Attention } from './int8-attention.js';

const args = process.argv.slice(2);
const [P = 4096, heads = 16, headDim = 72, rounds = 3, threads = 2] = args.slice(0, 5).map(Number);
const H = heads * headDim;
const FFN = 4304;

const random = seededFloats;

type Build = (g: GraphBuilder) => void;
const attention =
  (kind: 'fused' | 'fused-fp16' | 'ops' | Int8AttentionOptions): Build =>
  (g) => {
    g.input('qkv', 'float32', [1, P, 3 * H]);
    const bias = g.initializer('bias', 'float32', [3 * H], new Float32Array(3 * H));
    const s = { heads, headDim };
    const half = (x: string) => g.op('Cast', [x], { attrs: { to: 10 } }); // FLOAT16
    const y =
      kind === 'fused-fp16'
        ? g.op('Cast', [fusedAttention(g, half('qkv'), half(bias), s, 'attn')], { attrs: { to: 1 } })
        : kind === 'fused'
          ? fusedAttention(g, 'qkv', bias, s, 'attn')
          : kind === 'ops'
            ? opsAttention(g, 'qkv', bias, s, 'attn')
            : int8Attention(g, 'qkv', bias, s, 'attn', kind);
    g.op('Identity', [y], { output: 'y' });
    g.output('y', 'float32', [1, P, H]);
  };
const weight = random(H * FFN, 7, 0.02);
const gemm =
  (kind: 'MatMul' | 'DynamicQuantizeMatMul' | 'MatMulInteger'): Build =>
  (g) => {
    if (kind !== 'MatMulInteger') g.input('x', 'float32', [1, P, H]);
    if (kind === 'MatMul') {
      g.op('MatMul', ['x', g.initializer('w', 'float32', [H, FFN], weight)], { output: 'y' });
      g.output('y', 'float32', [1, P, FFN]);
      return;
    }
    const w8 = g.initializer(
      'w',
      'int8',
      [H, FFN],
      Int8Array.from(weight, (v) => Math.round(v * 6000)),
    );
    if (kind === 'DynamicQuantizeMatMul') {
      const scales = g.initializer('s', 'float32', [FFN], new Float32Array(FFN).fill(1 / 6000));
      g.op('DynamicQuantizeMatMul', ['x', w8, scales], { domain: 'com.microsoft', output: 'y' });
      g.output('y', 'float32', [1, P, FFN]);
      return;
    }
    // The integer product alone (activations already uint8): the u8 x s8 kernel's own rate.
    g.input('xu8', 'uint8', [1, P, H]);
    g.op('MatMulInteger', ['xu8', w8], { output: 'y' });
    g.output('y', 'int32', [1, P, FFN]);
  };

const variants: Record<string, { build: Build; flops: number }> = {
  fused: { build: attention('fused'), flops: 4 * heads * P * P * headDim },
  'fused-fp16': { build: attention('fused-fp16'), flops: 4 * heads * P * P * headDim },
  // The same graph with onnxruntime's flash-attention CPU path off (read when the kernel is created):
  // MultiHeadAttention then runs its unfused path (whole [P, P] scores per head), as Attention/QAttention do.
  'fused-noflash': { build: attention('fused'), flops: 4 * heads * P * P * headDim },
  ops: { build: attention('ops'), flops: 4 * heads * P * P * headDim },
  int8: { build: attention({}), flops: 4 * heads * P * P * headDim },
  'int8-g4': { build: attention({ headGroup: 4 }), flops: 4 * heads * P * P * headDim },
  'int8-g1': { build: attention({ headGroup: 1 }), flops: 4 * heads * P * P * headDim },
  'int8-dq': { build: attention({ dequant: 'dequantize' }), flops: 4 * heads * P * P * headDim },
  'int8-ops': { build: attention({ probs: 'ops' }), flops: 4 * heads * P * P * headDim },
  'gemm-fp32': { build: gemm('MatMul'), flops: 2 * P * H * FFN },
  'gemm-dqmm': { build: gemm('DynamicQuantizeMatMul'), flops: 2 * P * H * FFN },
  'gemm-mmi': { build: gemm('MatMulInteger'), flops: 2 * P * H * FFN },
};
const chosen = args[5] ? args[5].split(',') : Object.keys(variants);
for (const v of chosen)
  if (!variants[v]) throw new Error(`unknown variant ${v} (${Object.keys(variants).join(', ')})`);

const qkv = random(P * 3 * H, 9, 2);
const x = random(P * H, 11, 1);
const xu8 = Uint8Array.from(x, (v) => Math.round(v * 127) + 128);
const dir = await mkdtemp(join(tmpdir(), 'gemma3-vision-attention-'));
const sessions: Record<string, OnnxSession> = {};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
try {
  for (const v of chosen) {
    const g = new GraphBuilder({ name: v, opsets: { '': 21, 'com.microsoft': 1 } });
    variants[v]!.build(g);
    const out = join(dir, v);
    await mkdir(out);
    await saveModel(g, out);
    sessions[v] = await OnnxSession.create(join(out, 'model.onnx'), {
      intraOpThreads: threads,
      interOpThreads: 1,
    });
  }
  const feeds = (v: string): Feeds =>
    v.startsWith('gemm-mmi')
      ? { xu8: tensor.uint8(xu8, [1, P, H]) }
      : v.startsWith('gemm')
        ? { x: tensor.float32(x, [1, P, H]) }
        : { qkv: tensor.float32(qkv, [1, P, 3 * H]) };
  const outputs: Record<string, Float32Array> = {};
  for (const v of chosen) outputs[v] = (await sessions[v]!.run(feeds(v))).y!.data as Float32Array; // warm-up
  const times: Record<string, number[]> = Object.fromEntries(chosen.map((v) => [v, []]));
  for (let r = 0; r < rounds; r++) {
    for (const v of chosen) {
      const t = performance.now();
      await sessions[v]!.run(feeds(v));
      times[v]!.push(performance.now() - t);
    }
  }
  const reference = outputs.ops ?? outputs.fused;
  const cosine = (a: Float32Array) => {
    if (!reference || a.length !== reference.length) return undefined;
    let sum = 0;
    let min = 1;
    for (let t = 0; t < P; t++) {
      let dot = 0;
      let na = 0;
      let nb = 0;
      for (let i = t * H; i < (t + 1) * H; i++) {
        dot += a[i]! * reference[i]!;
        na += a[i]! * a[i]!;
        nb += reference[i]! * reference[i]!;
      }
      const c = dot / Math.sqrt(na * nb);
      sum += c;
      min = Math.min(min, c);
    }
    return { mean: sum / P, min };
  };
  console.log(`P=${P} heads=${heads} D=${headDim}, ${rounds} interleaved rounds, ${threads} threads`);
  console.log('| variant | median | GFLOP/s (GOP/s) | cosine vs ops mean (min) |\n| --- | --- | --- | --- |');
  const result = chosen.map((v) => {
    const ms = median(times[v]!);
    const c = v.startsWith('gemm') ? undefined : cosine(outputs[v]!);
    console.log(
      `| ${v} | ${ms.toFixed(0)} ms | ${(variants[v]!.flops / (ms / 1000) / 1e9).toFixed(0)} | ${c ? `${c.mean.toFixed(6)} (${c.min.toFixed(6)})` : ''} |`,
    );
    return { variant: v, medianMs: ms, ms: times[v], cosine: c };
  });
  console.log(JSON.stringify(result));
} finally {
  for (const s of Object.values(sessions)) await s.release();
  await rm(dir, { recursive: true, force: true });
}
