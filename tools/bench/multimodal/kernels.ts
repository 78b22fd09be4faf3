/**
 * The vision tower's linear-layer kernels on one matmul of its shape, interleaved round by round so a
 * shared machine's load hits every kernel alike: float32 MatMul, DynamicQuantizeMatMul (int8 per
 * channel) and MatMulNBits (8- and 4-bit blocks, accuracy level 4), through @gemma3/quantization's
 * vision weight ops. Median ms and GFLOP/s per kernel.
 *
 *   node --conditions=@gemma3/source --import tsx tools/bench/multimodal/kernels.ts [M K N rounds threads]
 *   (default 4096 1152 4304 5 2: one 896x896 image's patches through fc1 of the 4b tower)
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GraphBuilder, OnnxSession, saveModel, tensor } from '../../../packages/onnx/src/index.js';
import { createVisionWeightOps } from '../../../packages/quantization/src/index.js';
import { seededFloats } from '../seeded-floats.js';
import { visionOptionsOf } from './variants.js';

const [M = 4096, K = 1152, N = 4304, rounds = 5, threads = 2] = process.argv.slice(2).map(Number);
const random = (n: number, seed: number) => seededFloats(n, seed);
const w = random(N * K, 7).map((x) => x * 0.02);
const a = random(M * K, 9);
const dir = await mkdtemp(join(tmpdir(), 'gemma3-vision-kernels-'));
const kernels = ['fp32', 'dqmm8', 'q8b32', 'q4b32', 'q4b128'];
const sessions: Record<string, OnnxSession> = {};
try {
  for (const k of kernels) {
    const ops = createVisionWeightOps(visionOptionsOf(k));
    const g = new GraphBuilder({ name: k, opsets: { '': 21, 'com.microsoft': 1 } });
    g.input('a', 'float32', [1, M, K]);
    const y = ops.visionLinear(g, { readFloat32: async () => w }, 'a', 'fc1.weight', N, K);
    g.op('Identity', [y], { output: 'y' });
    g.output('y', 'float32', [1, M, N]);
    const out = join(dir, k);
    await mkdir(out);
    await saveModel(g, out);
    sessions[k] = await OnnxSession.create(join(out, 'model.onnx'), {
      intraOpThreads: threads,
      interOpThreads: 1,
    });
  }
  const input = { a: tensor.float32(a, [1, M, K]) };
  for (const k of kernels) await sessions[k]!.run(input); // warm-up
  const times: Record<string, number[]> = Object.fromEntries(kernels.map((k) => [k, []]));
  for (let r = 0; r < rounds; r++) {
    for (const k of kernels) {
      const t = performance.now();
      await sessions[k]!.run(input);
      times[k]!.push(performance.now() - t);
    }
  }
  const flops = 2 * M * K * N;
  const result = kernels.map((k) => {
    const s = [...times[k]!].sort((x, y) => x - y);
    const median = s[Math.floor(s.length / 2)]!;
    return { kernel: k, medianMs: median, gflops: flops / (median / 1000) / 1e9, ms: times[k] };
  });
  const fp32 = result[0]!.medianMs;
  console.log(`M=${M} K=${K} N=${N}, ${rounds} interleaved rounds, ${threads} threads`);
  console.log('| kernel | median | GFLOP/s | vs fp32 |\n| --- | --- | --- | --- |');
  for (const r of result) {
    console.log(
      `| ${r.kernel} | ${r.medianMs.toFixed(0)} ms | ${r.gflops.toFixed(0)} | ${(fp32 / r.medianMs).toFixed(2)}x |`,
    );
  }
  console.log(JSON.stringify(result));
} finally {
  for (const s of Object.values(sessions)) await s.release();
  await rm(dir, { recursive: true, force: true });
}
