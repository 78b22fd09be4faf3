/**
 * How fast this runtime itself can stream int4 weights through a one-row GEMV: q4-gemv.wat (WebAssembly
 * SIMD, MatMulNBits' block-of-32 layout with float32 scales) over the 1b's MLP chain (26 x [1152 -> 6912
 * -> 1152], distinct weights: 259 MB, as tools/bench/text-kernels.ts streams through onnxruntime), rows
 * split between worker threads that sync through Atomics after every matrix (as a decode step must).
 * Checks its results against a float64 reference first. A measurement of what a kernel outside
 * onnxruntime could reach, not a kernel the models use.
 *
 *   node --conditions=@gemma3/source --import tsx tools/bench/wasm-gemv/wasm-gemv.ts [--threads 1,2]
 *     [--rounds 7] [--layers 26]
 */
import { randomFillSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { compileKernels } from '../../../packages/quantization/scripts/compile-kernels.js';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    threads: { type: 'string', default: '1,2' },
    rounds: { type: 'string', default: '7' },
    layers: { type: 'string', default: '26' },
  },
});
const H = 1152;
const F = 6912;
const layers = Number(values.layers);
const rounds = Number(values.rounds);

declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Memory: new (d: { initial: number; maximum: number; shared: boolean }) => { buffer: SharedArrayBuffer };
};

/** One matrix of the chain: [rows, K] weights, its scales and outputs, as byte offsets. */
interface Matrix {
  rows: number;
  blocks: number;
  w: number;
  s: number;
  y: number;
}

// Layout: activations for K = F (the largest) first, then every matrix's weights, scales, outputs.
let end = 0;
const take = (bytes: number) => {
  const at = end;
  end += Math.ceil(bytes / 64) * 64;
  return at;
};
const act = { a: take((F / 32) * 64), as: take((F / 32) * 4), c: take((F / 32) * 16) };
const matrices: Matrix[] = [];
for (let l = 0; l < layers; l++) {
  for (const [rows, k] of [
    [F, H],
    [H, F],
  ] as const) {
    const blocks = k / 32;
    matrices.push({
      rows,
      blocks,
      w: take(rows * blocks * 16),
      s: take(rows * blocks * 4),
      y: take(rows * 4),
    });
  }
}
const weightBytes = matrices.reduce((sum, m) => sum + m.rows * m.blocks * 20, 0);
const pages = Math.ceil(end / 65536);
const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
const bytes = new Uint8Array(memory.buffer);
for (let at = 0; at < end; at += 1 << 30) randomFillSync(bytes, at, Math.min(1 << 30, end - at));
const f32 = new Float32Array(memory.buffer);
const i16 = new Int16Array(memory.buffer);
const i32 = new Int32Array(memory.buffer);
// Scales: small positive floats; activations int8 values; corrections 8 * the block's sum in lane 0.
for (const m of matrices)
  for (let i = 0; i < m.rows * m.blocks; i++) f32[m.s / 4 + i] = 0.01 + (i % 7) * 1e-3;
for (let b = 0; b < F / 32; b++) {
  let sum = 0;
  for (let j = 0; j < 32; j++) {
    const v = ((b * 37 + j * 11) % 255) - 127;
    i16[act.a / 2 + b * 32 + j] = v;
    sum += v;
  }
  f32[act.as / 4 + b] = 0.02;
  i32.fill(0, act.c / 4 + b * 4, act.c / 4 + b * 4 + 4);
  i32[act.c / 4 + b * 4] = 8 * sum;
}

/** Row r of matrix m in float64: sum over blocks of scale * ascale * sum_j (q_j - 8) * a_j. */
function referenceRow(m: Matrix, r: number): number {
  let total = 0;
  for (let b = 0; b < m.blocks; b++) {
    let dot = 0;
    for (let i = 0; i < 16; i++) {
      const byte = bytes[m.w + (r * m.blocks + b) * 16 + i]!;
      // The byte's low nibble is value 2i (activation slot i), its high nibble value 2i + 1 (slot 16 + i).
      dot += ((byte & 15) - 8) * i16[act.a / 2 + b * 32 + i]!;
      dot += ((byte >> 4) - 8) * i16[act.a / 2 + b * 32 + 16 + i]!;
    }
    total += f32[m.s / 4 + r * m.blocks + b]! * f32[act.as / 4 + b]! * dot;
  }
  return total;
}

const module = new WebAssembly.Module(
  await compileKernels(readFileSync(new URL('./q4-gemv.wat', import.meta.url), 'utf8'), { threads: true }),
);

async function measure(threads: number): Promise<number[]> {
  const control = new SharedArrayBuffer(4 * (3 + matrices.length * 8));
  const words = new Int32Array(control);
  matrices.forEach((m, j) => {
    words.set([m.w, m.s, act.a, act.as, act.c, m.y, m.blocks, m.rows], 3 + j * 8);
  });
  const workers = Array.from(
    { length: threads },
    (_, index) =>
      new Worker(new URL('./gemv-worker.mjs', import.meta.url), {
        workerData: { module, memory, control, index, threads },
      }),
  );
  await new Promise((resolve) => setTimeout(resolve, 200)); // the threads start and wait
  const runChain = () => {
    for (let j = 0; j < matrices.length; j++) {
      Atomics.store(words, 1, 0);
      Atomics.store(words, 2, j);
      Atomics.add(words, 0, 1);
      Atomics.notify(words, 0);
      for (let done = 0; done < threads; done = Atomics.load(words, 1)) Atomics.wait(words, 1, done, 1000);
    }
  };
  runChain();
  for (const m of [matrices[0]!, matrices[1]!]) {
    for (const r of [0, 1, m.rows - 1]) {
      const want = referenceRow(m, r);
      const got = f32[m.y / 4 + r]!;
      if (Math.abs(got - want) > 1e-4 * Math.max(1, Math.abs(want))) {
        throw new Error(`row ${r} of a [${m.rows}, ${m.blocks * 32}] matrix: ${got}, reference ${want}`);
      }
    }
  }
  const times: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const started = performance.now();
    runChain();
    times.push(performance.now() - started);
  }
  Atomics.store(words, 0, -1);
  Atomics.notify(words, 0);
  await Promise.all(workers.map((w) => new Promise((resolve) => w.once('exit', resolve))));
  return times;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(
  `q4 b32 GEMV chain: ${matrices.length} matrices, ${(weightBytes / 1e6).toFixed(0)} MB of weights and scales; load ${loadavg()[0].toFixed(2)}`,
);
for (const threads of (values.threads as string).split(',').map(Number)) {
  const times = await measure(threads);
  const ms = median(times);
  console.log(
    `${threads} thread(s): ${ms.toFixed(1)} ms per chain (median of ${rounds}; min ${Math.min(...times).toFixed(1)}), ${(weightBytes / ms / 1e6).toFixed(1)} GB/s; load ${loadavg()[0].toFixed(2)}`,
  );
}
