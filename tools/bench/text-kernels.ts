/**
 * The decode step's linear kernels against this machine's memory bandwidth: one graph per kernel with
 * the 1b's MLP matrices of every layer in a chain (26 x [1152 -> 6912 -> 1152], distinct weights, so
 * nothing stays in cache) and one with the LM head (1152 -> 262144), run at M rows (1: one decode
 * step), interleaved round by round. Reports ms per run and GB/s of weight bytes streamed, next to a
 * float32 ReduceSum over a 1 GiB buffer (the bandwidth onnxruntime's threads reach here).
 *
 *   node --conditions=@gemma3/source --import tsx tools/bench/text-kernels.ts [--rows 1] [--rounds 7]
 *     [--threads 2] [--layers 26] [--kernels q4b32,q4b128,q8b32,q8row]
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { GraphBuilder, OnnxSession, saveModel, tensor } from '../../packages/onnx/src/index.js';
import { createQuantizedWeightOps, type QuantizationOptions } from '../../packages/quantization/src/index.js';
import { seededFloats } from './seeded-floats.js';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    rows: { type: 'string', default: '1' },
    rounds: { type: 'string', default: '7' },
    threads: { type: 'string', default: '2' },
    layers: { type: 'string', default: '26' },
    kernels: { type: 'string', default: 'q4b32,q4b128,q8b32,q8row' },
  },
});
const M = Number(values.rows);
const rounds = Number(values.rounds);
const threads = Number(values.threads);
const layers = Number(values.layers);
const H = 1152;
const F = 6912;
const V = 262_144;

const KERNELS: Record<string, QuantizationOptions> = {
  q4b32: { dtype: 'q4', quantization: { blockSize: 32 } },
  q4b128: { dtype: 'q4', quantization: { blockSize: 128 } },
  q8b32: { dtype: 'q8', quantization: { blockSize: 32 } },
  q8row: { dtype: 'q8', linearKernel: 'MatMulInteger' },
};
/** Weight bytes per element (scales included): int4 + a float32 scale per block, int8 + one per row. */
const BYTES: Record<string, number> = {
  q4b32: 0.5 + 4 / 32,
  q4b128: 0.5 + 4 / 128,
  q8b32: 1 + 4 / 32,
  q8row: 1,
};

const random = seededFloats;
const weights = {
  readFloat32: async (name: string) => {
    const seed = [...name].reduce((h, c) => Math.imul(h, 31) + c.charCodeAt(0), 7);
    return name === 'lm_head' ? random(V * H, seed, 0.02) : random(H * F, seed, 0.02);
  },
};

const dir = await mkdtemp(join(tmpdir(), 'gemma3-text-kernels-'));
const kernels = (values.kernels as string).split(',');
const sessions: Record<string, OnnxSession> = {};
const session = { intraOpThreads: threads, interOpThreads: 1 };
try {
  for (const k of kernels) {
    const ops = createQuantizedWeightOps(KERNELS[k]!);
    for (const part of ['mlp', 'head'] as const) {
      const g = new GraphBuilder({ name: `${k}-${part}`, opsets: { '': 21, 'com.microsoft': 1 } });
      g.input('x', 'float32', [1, M, H]);
      let x = 'x';
      if (part === 'mlp') {
        for (let l = 0; l < layers; l++) {
          const up = ops.linear(g, weights, x, `l${l}.up`, F, H); // [1, M, F]
          x = ops.linear(g, weights, up, `l${l}.down`, H, F); // [1, M, H]
        }
      } else {
        x = ops.lmHead(g, weights, x, 'lm_head', V, H); // [1, M, V]
      }
      g.op('Identity', [x], { output: 'y' });
      g.output('y', 'float32', [1, M, part === 'mlp' ? H : V]);
      const out = join(dir, `${k}-${part}`);
      await mkdir(out);
      await saveModel(g, out);
      sessions[`${k}-${part}`] = await OnnxSession.create(join(out, 'model.onnx'), session);
    }
  }
  // Bandwidth: a float32 ReduceSum over 1 GiB (256 Mi floats), on the same thread settings.
  const g = new GraphBuilder({ name: 'bandwidth', opsets: { '': 21 } });
  g.input('big', 'float32', [256, 1024 * 1024]);
  g.op('ReduceSum', ['big', g.int64s([1])], { attrs: { keepdims: 0 }, output: 's' });
  g.output('s', 'float32', [256]);
  await mkdir(join(dir, 'bw'));
  await saveModel(g, join(dir, 'bw'));
  sessions.bandwidth = await OnnxSession.create(join(dir, 'bw', 'model.onnx'), session);
  const big = { big: tensor.float32(random(256 * 1024 * 1024, 3, 1), [256, 1024 * 1024]) };
  const x = { x: tensor.float32(random(M * H, 9, 1), [1, M, H]) };

  const names = Object.keys(sessions);
  const feeds = (name: string) => (name === 'bandwidth' ? big : x);
  for (const name of names) await sessions[name]!.run(feeds(name)); // warm-up
  const times: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  const load = [loadavg()[0]!];
  for (let r = 0; r < rounds; r++) {
    for (const name of r % 2 === 0 ? names : [...names].reverse()) {
      const t = performance.now();
      await sessions[name]!.run(feeds(name));
      times[name]!.push(performance.now() - t);
    }
  }
  load.push(loadavg()[0]!);
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
  console.log(
    `rows ${M}, threads ${threads}, ${rounds} rounds, load average ${load.map((l) => l.toFixed(2)).join(' -> ')}`,
  );
  console.log('| graph | weight bytes | median ms | GB/s of weights |\n| --- | ---: | ---: | ---: |');
  for (const name of names) {
    const ms = median(times[name]!);
    const [k, part] = name.split('-') as [string, string | undefined];
    const bytes = name === 'bandwidth' ? 2 ** 30 : (part === 'mlp' ? 2 * layers * H * F : V * H) * BYTES[k]!;
    console.log(
      `| ${name} | ${(bytes / 1e6).toFixed(0)} MB | ${ms.toFixed(2)} | ${(bytes / ms / 1e6).toFixed(1)} |`,
    );
  }
} finally {
  for (const s of Object.values(sessions)) await s.release();
  await rm(dir, { recursive: true, force: true });
}
