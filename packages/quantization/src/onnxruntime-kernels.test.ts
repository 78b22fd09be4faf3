import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GraphBuilder, OnnxSession, saveModel, tensor } from '@gemma3/onnx';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BlockQuantSpec,
  dequantizeBlocks,
  dequantizeChannels,
  gatherZeroPoints,
  quantizeBlocks,
  quantizeChannelsInt8,
  zeroPointBytesPerRow,
} from './block-quantize.js';
import { createQuantizedWeightOps } from './quantized-weight-ops.js';
import { randomMatrix } from './test-utils/random.js';

/**
 * The packing is checked against onnxruntime itself: one graph per spec where MatMulNBits (fp32
 * compute and int8 compute) and GatherBlockQuantized read the same quantized initializer, compared
 * with a float64 matmul over the weights as this package dequantizes them.
 */
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gemma3-quant-kernels-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const M = 3;
const N = 40;
const K = 256;

const specs: BlockQuantSpec[] = [];
for (const bits of [4, 8] as const)
  for (const blockSize of [32, 64, 128] as const)
    for (const symmetric of [true, false]) specs.push({ bits, blockSize, symmetric });

describe('MatMulNBits and GatherBlockQuantized in onnxruntime read our layout', () => {
  it.each(specs)('bits $bits block $blockSize symmetric $symmetric', async (spec) => {
    const w = randomMatrix(N * K, 11 + spec.bits + spec.blockSize);
    const q = quantizeBlocks(w, N, K, spec);
    const deq = dequantizeBlocks(q);
    const a = randomMatrix(M * K, 5);
    const ids = [0, 7, 39, 7];

    const g = new GraphBuilder({ name: 'kernels', opsets: { '': 21, 'com.microsoft': 1 } });
    g.input('a', 'float32', [M, K]);
    g.input('ids', 'int64', [ids.length]);
    const blob = (spec.blockSize * spec.bits) / 8;
    const data = g.initializer('w.q', 'uint8', [N, q.blocksPerRow, blob], q.data);
    const scales = g.initializer('w.scales', 'float32', [N * q.blocksPerRow], q.scales);
    const zp = q.zeroPoints
      ? g.initializer('w.zp', 'uint8', [N * zeroPointBytesPerRow(q.blocksPerRow, spec.bits)], q.zeroPoints)
      : undefined;
    for (const level of [0, 4]) {
      g.op('MatMulNBits', zp ? ['a', data, scales, zp] : ['a', data, scales], {
        domain: 'com.microsoft',
        output: `y${level}`,
        attrs: { K, N, bits: spec.bits, block_size: spec.blockSize, accuracy_level: level },
      });
      g.output(`y${level}`, 'float32', [M, N]);
    }
    const scales3d = g.op('Reshape', [scales, g.int64s([N, q.blocksPerRow, 1])]);
    const gzp = gatherZeroPoints(q);
    const gatherInputs = [data, 'ids', scales3d];
    if (gzp) gatherInputs.push(g.initializer('w.gzp', 'uint8', [N, q.blocksPerRow, 1], gzp));
    g.op('GatherBlockQuantized', gatherInputs, {
      domain: 'com.microsoft',
      output: 'rows',
      attrs: { gather_axis: 0, quantize_axis: 2, block_size: spec.blockSize, bits: spec.bits },
    });
    g.output('rows', 'float32', [ids.length, q.blocksPerRow, spec.blockSize]);

    const out = join(dir, `b${spec.bits}-${spec.blockSize}-${spec.symmetric}`);
    await mkdir(out);
    await saveModel(g, out);
    const session = await OnnxSession.create(join(out, 'model.onnx'), { intraOpThreads: 1 });
    try {
      const result = await session.run({
        a: tensor.float32(a, [M, K]),
        ids: tensor.int64(BigInt64Array.from(ids, BigInt), [ids.length]),
      });

      // Gather: the dequantized rows exactly ((q - zp) * scale is one float32 multiply either way).
      const rows = result.rows!.data as Float32Array;
      ids.forEach((id, i) => {
        expect(Array.from(rows.subarray(i * K, (i + 1) * K))).toEqual(
          Array.from(deq.subarray(id * K, (id + 1) * K)),
        );
      });

      // MatMul over the dequantized weights, in float64.
      const ref = new Float64Array(M * N);
      let refMax = 0;
      for (let m = 0; m < M; m++)
        for (let n = 0; n < N; n++) {
          let s = 0;
          for (let k = 0; k < K; k++) s += a[m * K + k]! * deq[n * K + k]!;
          ref[m * N + n] = s;
          refMax = Math.max(refMax, Math.abs(s));
        }
      const maxDiff = (y: Float32Array) => y.reduce((d, v, i) => Math.max(d, Math.abs(v - ref[i]!)), 0);
      // accuracy_level 0: float32 accumulation of 256 products of size <= 1: observed 2-6e-7 of the largest output.
      expect(maxDiff(result.y0!.data as Float32Array)).toBeLessThan(1e-5 * refMax);
      // accuracy_level 4: activations quantized to int8 per block (step max|a|/127 in a block of
      // [-1, 1) values): each product's error <= |w| * step / 2, summed over K with random signs.
      // Observed 0.37-0.53% of the largest output (bits 4 and 8 alike); 2% leaves room and still catches a wrong layout (which
      // gives errors of the order of the outputs themselves).
      expect(maxDiff(result.y4!.data as Float32Array)).toBeLessThan(0.02 * refMax);
    } finally {
      await session.release();
    }
  });
});

describe('DynamicQuantizeMatMul reads our per-channel int8 layout', () => {
  it('equals a float64 matmul over the dequantized weights within the uint8 activation rounding', async () => {
    const w = randomMatrix(N * K, 99);
    const q = quantizeChannelsInt8(w, N, K);
    const deq = dequantizeChannels(q);
    const a = randomMatrix(M * K, 6);
    const g = new GraphBuilder({ name: 'dqmm', opsets: { '': 21, 'com.microsoft': 1 } });
    g.input('a', 'float32', [M, K]);
    const b = g.initializer('w.int8', 'int8', [K, N], q.transposed);
    const scales = g.initializer('w.scales', 'float32', [N], q.scales);
    g.op('DynamicQuantizeMatMul', ['a', b, scales], { domain: 'com.microsoft', output: 'y' });
    g.output('y', 'float32', [M, N]);
    const out = join(dir, 'dqmm');
    await mkdir(out);
    await saveModel(g, out);
    const session = await OnnxSession.create(join(out, 'model.onnx'), { intraOpThreads: 1 });
    try {
      const y = (await session.run({ a: tensor.float32(a, [M, K]) })).y!.data as Float32Array;
      let refMax = 0;
      let maxDiff = 0;
      for (let m = 0; m < M; m++)
        for (let n = 0; n < N; n++) {
          let s = 0;
          for (let k = 0; k < K; k++) s += a[m * K + k]! * deq[n * K + k]!;
          refMax = Math.max(refMax, Math.abs(s));
          maxDiff = Math.max(maxDiff, Math.abs(y[m * N + n]! - s));
        }
      // Activations quantized to uint8 over the whole tensor (step 2/255 for [-1, 1) values): per
      // product error <= |w| * step / 2, random signs over K = 256. Observed 0.35%; a transposed or
      // mis-scaled B gives errors the size of the outputs.
      expect(maxDiff).toBeLessThan(0.02 * refMax);
      expect(maxDiff).toBeGreaterThan(0); // the int8 path, not a float fallback
    } finally {
      await session.release();
    }
  });
});

describe("q8's rows: one QuantizeLinear quantizes as Div -> Round -> Add 128 -> Cast does", () => {
  it('the MatMulInteger linear gives, bit for bit, what the element-wise chain gave (ties, a zero row)', async () => {
    const w = randomMatrix(N * K, 21);
    const weights = { readFloat32: async () => Float32Array.from(w) };
    const ops = createQuantizedWeightOps({ dtype: 'q8', linearKernel: 'MatMulInteger' });
    const g = new GraphBuilder({ name: 'rowwise', opsets: { '': 21, 'com.microsoft': 1 } });
    g.input('x', 'float32', ['rows', K]);
    g.op('Identity', [ops.linear(g, weights, 'x', 'w', N, K)], { output: 'y' });
    // The chain it replaced, over the same int8 weights and scales.
    const q = quantizeChannelsInt8(w, N, K);
    const data = g.initializer('ref.w', 'int8', [K, N], q.transposed);
    const scales = g.initializer('ref.scales', 'float32', [N], q.scales);
    const zeroPoint = g.initializer('ref.zero_point', 'uint8', [], new Uint8Array([128]));
    const absMax = g.op('ReduceMax', [g.op('Abs', ['x']), g.int64s([-1])], { attrs: { keepdims: 1 } });
    const scale = g.op('Max', [g.op('Mul', [absMax, g.scalarFloat(1 / 127)]), g.scalarFloat(1e-30)]);
    const shifted = g.op(
      'Cast',
      [g.op('Add', [g.op('Round', [g.op('Div', ['x', scale])]), g.scalarFloat(128)])],
      {
        attrs: { to: 2 },
      },
    );
    const acc = g.op('Cast', [g.op('MatMulInteger', [shifted, data, zeroPoint])], { attrs: { to: 1 } });
    g.op('Mul', [g.op('Mul', [acc, scale]), scales], { output: 'ref' });
    g.output('y', 'float32', ['rows', N]);
    g.output('ref', 'float32', ['rows', N]);
    const out = join(dir, 'rowwise');
    await mkdir(out);
    await saveModel(g, out);
    const session = await OnnxSession.create(join(out, 'model.onnx'), { intraOpThreads: 2 });
    try {
      // Rows: random; max |x| = 127 / 8 (scale 1/8) with x / scale = k + 0.5 exactly (ties, half to
      // even in both); all zero; magnitudes 1e-3 to 1e3.
      const x = new Float32Array(4 * K);
      x.set(randomMatrix(K, 4));
      for (let k = 0; k < K; k++) x[K + k] = k === 0 ? 127 / 8 : ((k % 2 ? 1 : -1) * ((k % 40) + 0.5)) / 8;
      for (let k = 0; k < K; k++) x[3 * K + k] = (k % 3 ? -1 : 1) * 10 ** ((k % 7) - 3) * (1 + k / K);
      for (const rows of [4, 1]) {
        const result = await session.run({ x: tensor.float32(x.subarray(0, rows * K), [rows, K]) });
        const y = result.y!.data as Float32Array;
        const ref = result.ref!.data as Float32Array;
        expect(
          Buffer.from(y.buffer, y.byteOffset, y.byteLength).equals(
            Buffer.from(ref.buffer, ref.byteOffset, ref.byteLength),
          ),
        ).toBe(true);
        expect(y.some((v) => v !== 0)).toBe(true);
      }
    } finally {
      await session.release();
    }
  });
});
