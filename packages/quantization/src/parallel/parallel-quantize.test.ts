import type { WeightSource } from '@gemma3/text-model';
import { float32ToBfloat16Bits, float32ToFloat16Bits } from '@gemma3/weights';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { type BlockQuantSpec, quantizeBlocks, quantizeChannelsInt8 } from '../block-quantize.js';
import { QuantizationOptionsError } from '../errors/quantization-options-error.js';
import { QuantizationShapeError } from '../errors/quantization-shape-error.js';
import { QuantizationWorkerError } from '../errors/quantization-worker-error.js';
import { randomMatrix } from '../test-utils/random.js';
import { roundingMatrix as matrix } from '../test-utils/rounding-matrix.js';
import { quantizeTensorBlocks, quantizeTensorChannels } from './parallel-quantize.js';
import type { SourceDtype } from './row-source.js';
import { BUILD_WORKERS_ENV, buildWorkerCount, QuantizePool, sharedQuantizePool } from './worker-pool.js';

/** A WeightSource of one tensor stored as `dtype` (or float32 values only, without `read`). */
function source(values: Float32Array, dtype: SourceDtype | 'float-only'): WeightSource {
  const readFloat32 = async () => Float32Array.from(values);
  if (dtype === 'float-only') return { readFloat32 };
  return {
    readFloat32,
    read: async (_name, options) => {
      const size = dtype === 'F32' ? 4 : 2;
      const bytes = new Uint8Array(
        options?.shared ? new SharedArrayBuffer(values.length * size) : new ArrayBuffer(values.length * size),
      );
      if (dtype === 'F32') bytes.set(new Uint8Array(values.buffer));
      else {
        const words = new Uint16Array(bytes.buffer);
        for (let i = 0; i < values.length; i++) {
          words[i] = dtype === 'BF16' ? float32ToBfloat16Bits(values[i]!) : float32ToFloat16Bits(values[i]!);
        }
      }
      return { dtype, bytes };
    },
  };
}

const bytesOf = (v: ArrayBufferView | undefined) =>
  v === undefined ? undefined : [...new Uint8Array(v.buffer, v.byteOffset, v.byteLength)];

// [33, 64] and [40, 256] take the SIMD kernels for symmetric specs and bf16 (wasm-kernels.ts).
const SHAPES: [number, number][] = [
  [1, 48],
  [7, 100],
  [33, 64],
  [40, 256],
  [100, 300],
  [257, 130],
];
const SPECS: BlockQuantSpec[] = [
  { bits: 4, blockSize: 32, symmetric: true },
  { bits: 4, blockSize: 128, symmetric: true },
  { bits: 4, blockSize: 128, symmetric: false },
  { bits: 4, blockSize: 16, symmetric: false },
  { bits: 8, blockSize: 32, symmetric: true },
  { bits: 8, blockSize: 64, symmetric: false },
];

const saved = process.env[BUILD_WORKERS_ENV];
afterEach(() => {
  if (saved === undefined) delete process.env[BUILD_WORKERS_ENV];
  else process.env[BUILD_WORKERS_ENV] = saved;
});
afterAll(async () => {
  process.env[BUILD_WORKERS_ENV] = '2';
  await sharedQuantizePool()?.close();
});

describe('worker-thread quantization writes the bytes of the single-threaded functions', () => {
  for (const workers of ['2', '1', '0']) {
    for (const dtype of ['BF16', 'F16', 'F32', 'float-only'] as const) {
      it(`${workers} worker(s), ${dtype}: every spec and shape, and int8 channels`, async () => {
        process.env[BUILD_WORKERS_ENV] = workers;
        let seed = 1;
        for (const [rows, cols] of SHAPES) {
          const values = matrix(rows, cols, dtype === 'float-only' ? 'F32' : dtype, seed++);
          const weights = source(values, dtype);
          for (const spec of SPECS) {
            const expected = quantizeBlocks(values, rows, cols, spec);
            const actual = await quantizeTensorBlocks(weights, 't', rows, cols, spec);
            expect(actual.data.buffer instanceof SharedArrayBuffer).toBe(workers !== '0');
            expect(bytesOf(actual.data)).toEqual(bytesOf(expected.data));
            expect(bytesOf(actual.scales)).toEqual(bytesOf(expected.scales));
            expect(bytesOf(actual.zeroPoints)).toEqual(bytesOf(expected.zeroPoints));
            expect(actual.blocksPerRow).toBe(expected.blocksPerRow);
          }
          const expected = quantizeChannelsInt8(values, rows, cols);
          const actual = await quantizeTensorChannels(weights, 't', rows, cols);
          expect(bytesOf(actual.transposed)).toEqual(bytesOf(expected.transposed));
          expect(bytesOf(actual.scales)).toEqual(bytesOf(expected.scales));
        }
      }, 60_000); // seconds when the machine is busy
    }
  }

  it('a tensor whose size does not match its shape is a QuantizationShapeError naming it', async () => {
    process.env[BUILD_WORKERS_ENV] = '2';
    const weights = source(randomMatrix(10), 'BF16');
    await expect(quantizeTensorChannels(weights, 'layer.w', 3, 4)).rejects.toThrow(QuantizationShapeError);
    await expect(quantizeTensorChannels(weights, 'layer.w', 3, 4)).rejects.toThrow(/layer\.w: has 10 values/);
    const floats = source(randomMatrix(10), 'float-only');
    await expect(
      quantizeTensorBlocks(floats, 'f', 3, 4, { bits: 4, blockSize: 32, symmetric: true }),
    ).rejects.toThrow(/f: has 10 values, \[3, 4\] needs 12/);
  });
});

describe('worker pool', () => {
  it('GEMMA3_BUILD_WORKERS sets the number of workers; anything but a whole number >= 0 is refused', () => {
    expect(buildWorkerCount({ [BUILD_WORKERS_ENV]: '3' })).toBe(3);
    expect(buildWorkerCount({ [BUILD_WORKERS_ENV]: '0' })).toBe(0);
    expect(buildWorkerCount({})).toBeGreaterThanOrEqual(1);
    expect(() => buildWorkerCount({ [BUILD_WORKERS_ENV]: '-1' })).toThrow(QuantizationOptionsError);
    expect(() => buildWorkerCount({ [BUILD_WORKERS_ENV]: 'two' })).toThrow(/GEMMA3_BUILD_WORKERS/);
    process.env[BUILD_WORKERS_ENV] = '0';
    expect(sharedQuantizePool()).toBeUndefined();
    process.env[BUILD_WORKERS_ENV] = '2';
    expect(sharedQuantizePool()?.size).toBe(2);
  });

  it('a task that fails in a worker rejects with QuantizationWorkerError naming the tensor; the pool goes on', async () => {
    const pool = new QuantizePool(1);
    try {
      const source = { dtype: 'F32' as const, bytes: new Uint8Array(new SharedArrayBuffer(16)) };
      const out = {
        transposed: new Int8Array(new SharedArrayBuffer(4)),
        scales: new Float32Array(new SharedArrayBuffer(8)),
      };
      const bad = pool.run({
        kind: 'channels',
        tensor: 'bad.w',
        source,
        rows: 2,
        cols: 2,
        rowStart: 0,
        rowEnd: 3,
        out,
      });
      await expect(bad).rejects.toThrow(QuantizationWorkerError);
      await expect(bad).rejects.toThrow(/bad\.w: quantization worker failed: rows 0\.\.3 outside/);
      new Float32Array(source.bytes.buffer).set([1, -2, 0.5, 4]);
      await pool.run({
        kind: 'channels',
        tensor: 'ok.w',
        source,
        rows: 2,
        cols: 2,
        rowStart: 0,
        rowEnd: 2,
        out,
      });
      expect([...out.transposed]).toEqual([64, 16, -127, 127]);
    } finally {
      await pool.close();
    }
  });
});
