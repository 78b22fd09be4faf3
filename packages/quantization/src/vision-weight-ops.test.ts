import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GraphBuilder, OnnxSession, saveModel, tensor } from '@gemma3/onnx';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  dequantizeBlocks,
  dequantizeChannels,
  quantizeBlocks,
  quantizeChannelsInt8,
  relativeError,
} from './block-quantize.js';
import { QuantizationOptionsError } from './errors/quantization-options-error.js';
import { createQuantizedWeightOps } from './quantized-weight-ops.js';
import { randomMatrix } from './test-utils/random.js';
import { resolveVisionQuantization, VISION_DEFAULTS } from './vision-options.js';
import { createVisionWeightOps, visionReconstructionError } from './vision-weight-ops.js';

describe('vision options', () => {
  it('defaults per dtype (VISION_DEFAULTS): fp32 stays fp32; the projector stays fp32', () => {
    expect(resolveVisionQuantization({ dtype: 'fp32' })).toEqual({
      visionTower: undefined,
      projector: undefined,
    });
    expect(resolveVisionQuantization({ dtype: 'q4' })).toEqual(VISION_DEFAULTS.q4);
    expect(resolveVisionQuantization({ dtype: 'q8' })).toEqual(VISION_DEFAULTS.q8);
    expect(VISION_DEFAULTS.q4.projector).toBeUndefined();
  });

  it('per-module overrides: fp32, a partial MatMulNBits spec, DynamicQuantizeMatMul', () => {
    expect(resolveVisionQuantization({ dtype: 'q4', modules: { visionTower: 'fp32' } }).visionTower).toBe(
      undefined,
    );
    expect(
      resolveVisionQuantization({
        dtype: 'fp32',
        modules: { visionTower: { kernel: 'MatMulNBits', bits: 4 } },
      }).visionTower,
    ).toEqual({ kernel: 'MatMulNBits', spec: { bits: 4, blockSize: 32, symmetric: true, accuracyLevel: 4 } });
    expect(
      resolveVisionQuantization({ dtype: 'q8', modules: { projector: { kernel: 'DynamicQuantizeMatMul' } } })
        .projector,
    ).toEqual({ kernel: 'DynamicQuantizeMatMul' });
    // The text options do not change the vision defaults.
    expect(resolveVisionQuantization({ dtype: 'q4', quantization: { blockSize: 128 } }).visionTower).toEqual(
      VISION_DEFAULTS.q4.visionTower,
    );
  });

  it('refuses bad vision options with a typed error naming the option', () => {
    const bad = (modules: object, pattern: RegExp) => {
      expect(() => createVisionWeightOps({ dtype: 'q4', modules: modules as never })).toThrow(
        QuantizationOptionsError,
      );
      expect(() => createVisionWeightOps({ dtype: 'q4', modules: modules as never })).toThrow(pattern);
    };
    bad({ visionTower: { kernel: 'DynamicQuantizeMatMul', bits: 4 } }, /^modules\.visionTower\.bits/);
    bad(
      { visionTower: { kernel: 'DynamicQuantizeMatMul', blockSize: 32 } },
      /^modules\.visionTower\.blockSize/,
    );
    bad({ projector: { kernel: 'Gemm' } }, /^modules\.projector\.kernel/);
    bad({ projector: { kernel: 'MatMulNBits', blockSize: 100 } }, /^modules\.projector\.blockSize/);
    bad({ visionTower: { kernel: 'MatMulNBits', group: 3 } }, /^modules\.visionTower\.group/);
    bad({ visionTower: 'q4' }, /^modules\.visionTower/);
    bad({ vision: 'fp32' }, /^modules\.vision:/);
  });

  it('cache keys keep every vision build apart, and leave the text decoder key alone', () => {
    const keys = [
      createVisionWeightOps({ dtype: 'fp32' }).cacheKey,
      createVisionWeightOps({ dtype: 'q4' }).cacheKey,
      createVisionWeightOps({ dtype: 'q4', modules: { visionTower: { kernel: 'MatMulNBits', bits: 8 } } })
        .cacheKey,
      createVisionWeightOps({ dtype: 'q4', modules: { visionTower: { kernel: 'MatMulNBits', bits: 4 } } })
        .cacheKey,
      createVisionWeightOps({
        dtype: 'q4',
        modules: { visionTower: { kernel: 'MatMulNBits', bits: 4, blockSize: 128 } },
      }).cacheKey,
      createVisionWeightOps({ dtype: 'q4', modules: { visionTower: 'fp32', projector: { bits: 8 } } })
        .cacheKey,
    ];
    expect(keys[0]).toBe('fp32');
    expect(new Set(keys).size).toBe(keys.length);
    expect(createQuantizedWeightOps({ dtype: 'q4', modules: { visionTower: 'fp32' } }).cacheKey).toBe(
      createQuantizedWeightOps({ dtype: 'q4' }).cacheKey,
    );
  });

  it('reconstruction error: int8 per channel and q8 blocks ~0.5-1%, q4 blocks ~10x that', () => {
    // Gaussian-like weights (sum of uniforms), [N = 48, K = 96].
    const n = 48;
    const k = 96;
    const u = [1, 2, 3].map((s) => randomMatrix(n * k, s));
    const w = Float32Array.from(u[0]!, (x, i) => (x + u[1]![i]! + u[2]![i]!) / 3);
    const dq = visionReconstructionError(w, n, k, { kernel: 'DynamicQuantizeMatMul' });
    const q8 = visionReconstructionError(w, n, k, {
      kernel: 'MatMulNBits',
      spec: { bits: 8, blockSize: 32, symmetric: true, accuracyLevel: 4 },
    });
    const q4 = visionReconstructionError(w, n, k, {
      kernel: 'MatMulNBits',
      spec: { bits: 4, blockSize: 32, symmetric: true, accuracyLevel: 4 },
    });
    expect(visionReconstructionError(w, n, k, undefined)).toBe(0);
    // Same figures as the underlying quantizers give.
    expect(q8).toBeCloseTo(
      relativeError(w, quantizeBlocks(w, n, k, { bits: 8, blockSize: 32, symmetric: true })),
      12,
    );
    expect(dq).toBeGreaterThan(0.001);
    expect(dq).toBeLessThan(0.015);
    expect(q8).toBeLessThan(0.01);
    expect(q4).toBeGreaterThan(8 * q8);
    expect(q4).toBeLessThan(0.15);
  });
});

/**
 * The ops in onnxruntime on a vision-shaped (3-D) activation [N images, P patches, K]: each kernel
 * against a float64 matmul over the weights as this package dequantizes them (int8 activations: within
 * 2% of the largest output, as the 2-D kernel tests measure ~0.4%).
 */
describe('vision linear ops in onnxruntime (3-D activations)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gemma3-quant-vision-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const B = 2;
  const P = 5;
  const N = 40;
  const K = 96;
  const cases = [
    { name: 'fp32', module: 'fp32' as const, deq: (w: Float32Array) => w, tol: 1e-5 },
    {
      name: 'DynamicQuantizeMatMul',
      module: { kernel: 'DynamicQuantizeMatMul' as const },
      deq: (w: Float32Array) => dequantizeChannels(quantizeChannelsInt8(w, N, K)),
      tol: 0.02,
    },
    {
      name: 'MatMulNBits q4 b32',
      module: { kernel: 'MatMulNBits' as const, bits: 4 as const, blockSize: 32 as const },
      deq: (w: Float32Array) =>
        dequantizeBlocks(quantizeBlocks(w, N, K, { bits: 4, blockSize: 32, symmetric: true })),
      tol: 0.02,
    },
  ];
  it.each(cases)('$name', async ({ name, module, deq, tol }) => {
    const w = randomMatrix(N * K, 21);
    const a = randomMatrix(B * P * K, 22);
    const ops = createVisionWeightOps({ dtype: 'q4', modules: { visionTower: module } });
    const g = new GraphBuilder({ name: 'vision-linear', opsets: { '': 21, 'com.microsoft': 1 } });
    g.input('a', 'float32', [B, P, K]);
    const y = ops.visionLinear(g, { readFloat32: async () => w }, 'a', 'fc.weight', N, K);
    g.op('Identity', [y], { output: 'y' });
    g.output('y', 'float32', [B, P, N]);
    const out = join(dir, name.replaceAll(' ', '_'));
    await mkdir(out);
    await saveModel(g, out);
    const session = await OnnxSession.create(join(out, 'model.onnx'), { intraOpThreads: 1 });
    try {
      const got = (await session.run({ a: tensor.float32(a, [B, P, K]) })).y!;
      expect(got.dims).toEqual([B, P, N]);
      const d = deq(w);
      let maxRef = 0;
      let maxErr = 0;
      for (let m = 0; m < B * P; m++)
        for (let n = 0; n < N; n++) {
          let s = 0;
          for (let k = 0; k < K; k++) s += a[m * K + k]! * d[n * K + k]!;
          maxRef = Math.max(maxRef, Math.abs(s));
          maxErr = Math.max(maxErr, Math.abs(s - (got.data as Float32Array)[m * N + n]!));
        }
      expect(maxErr).toBeLessThanOrEqual(tol * maxRef);
    } finally {
      await session.release();
    }
  });
});
