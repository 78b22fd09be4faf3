import type { WeightSource } from '@gemma3/text-model';
import {
  type BlockQuantized,
  type BlockQuantSpec,
  type ChannelQuantized,
  checkSpec,
  quantizeBlocks,
  quantizeChannelsInt8,
  zeroPointBytesPerRow,
} from '../block-quantize.js';
import { QuantizationShapeError } from '../errors/quantization-shape-error.js';
import type { QuantizeTask } from './quantize-task.js';
import { type RowSource, type SourceDtype, sourceBytesPerElement } from './row-source.js';
import { SourceBuffers } from './source-buffers.js';
import { type QuantizePool, sharedQuantizePool } from './worker-pool.js';

const SOURCE_DTYPES: readonly string[] = ['F32', 'BF16', 'F16'];

/** Buffers the checkpoint's bytes are read into, given back once a tensor is quantized. */
const sourceBuffers = new SourceBuffers();

/** Rows per task are a multiple of this (the channel kernel's tile). */
const ROW_GRANULE = 32;
/** Tasks per worker for one tensor: enough to even out workers slowed by other load. */
const TASKS_PER_WORKER = 4;

/**
 * `name` [rows, cols] as a RowSource in shared memory: the stored 16- or 32-bit floats when the source
 * can give its bytes (a checkpoint), else its float32 values copied into a SharedArrayBuffer.
 */
async function readShared(
  weights: WeightSource,
  name: string,
  rows: number,
  cols: number,
): Promise<RowSource> {
  if (weights.read !== undefined) {
    const raw = await weights.read(name, { shared: true, buffers: sourceBuffers });
    if (SOURCE_DTYPES.includes(raw.dtype)) {
      const dtype = raw.dtype as SourceDtype;
      const expected = rows * cols * sourceBytesPerElement(dtype);
      if (raw.bytes.byteLength !== expected) {
        throw new QuantizationShapeError(
          name,
          `has ${raw.bytes.byteLength / sourceBytesPerElement(dtype)} values, [${rows}, ${cols}] needs ${rows * cols}`,
        );
      }
      return { dtype, bytes: inSharedMemory(raw.bytes) };
    }
  }
  const values = await weights.readFloat32(name);
  if (values.length !== rows * cols) {
    throw new QuantizationShapeError(
      name,
      `has ${values.length} values, [${rows}, ${cols}] needs ${rows * cols}`,
    );
  }
  return {
    dtype: 'F32',
    bytes: inSharedMemory(new Uint8Array(values.buffer, values.byteOffset, values.byteLength)),
  };
}

/** The bytes themselves when in a SharedArrayBuffer, else a copy in one (posting them would copy them per task). */
function inSharedMemory(bytes: Uint8Array): Uint8Array {
  if (bytes.buffer instanceof SharedArrayBuffer) return bytes;
  const copy = sourceBuffers.take(bytes.byteLength);
  copy.set(bytes);
  return copy;
}

/** Splits rows into tasks and runs them on the pool. */
async function runSplit(
  pool: QuantizePool,
  rows: number,
  task: (rowStart: number, rowEnd: number) => QuantizeTask,
): Promise<void> {
  const per = Math.max(
    ROW_GRANULE,
    Math.ceil(rows / (pool.size * TASKS_PER_WORKER) / ROW_GRANULE) * ROW_GRANULE,
  );
  const runs: Promise<void>[] = [];
  for (let start = 0; start < rows; start += per)
    runs.push(pool.run(task(start, Math.min(rows, start + per))));
  await Promise.all(runs);
}

/**
 * Source bytes allocated since `before` (reused buffers count nothing towards a collection; a tensor
 * read while another is may count the other's too: a collection only comes sooner).
 */
function newSourceBytes(before: number): number {
  return sourceBuffers.allocatedBytes - before;
}

function sharedBytes(length: number): Uint8Array {
  return new Uint8Array(new SharedArrayBuffer(length));
}

function sharedFloats(length: number): Float32Array {
  return new Float32Array(new SharedArrayBuffer(4 * length));
}

/**
 * `quantizeBlocks` of the tensor `name` of `weights`, on worker threads (`GEMMA3_BUILD_WORKERS`, default one
 * per core) that each take rows of it: the same bytes (tested), in shared memory. With 0 workers: read
 * as float32 and quantized on this thread.
 */
export async function quantizeTensorBlocks(
  weights: WeightSource,
  name: string,
  rows: number,
  cols: number,
  spec: BlockQuantSpec,
): Promise<BlockQuantized> {
  const pool = sharedQuantizePool();
  if (pool === undefined) return quantizeBlocks(await weights.readFloat32(name), rows, cols, spec, name);
  checkSpec(spec);
  const allocatedBefore = sourceBuffers.allocatedBytes;
  const source = await readShared(weights, name, rows, cols);
  const blocksPerRow = Math.ceil(cols / spec.blockSize);
  const out = {
    data: sharedBytes((rows * blocksPerRow * spec.blockSize * spec.bits) / 8),
    scales: sharedFloats(rows * blocksPerRow),
    zeroPoints: spec.symmetric
      ? undefined
      : sharedBytes(rows * zeroPointBytesPerRow(blocksPerRow, spec.bits)),
  };
  const { bits, blockSize, symmetric } = spec;
  pool.allocated(out.data.byteLength + out.scales.byteLength + newSourceBytes(allocatedBefore));
  await runSplit(pool, rows, (rowStart, rowEnd) => ({
    kind: 'blocks',
    tensor: name,
    source,
    rows,
    cols,
    rowStart,
    rowEnd,
    spec: { bits, blockSize, symmetric },
    out,
  }));
  // Back for the next tensor only when every task is done (after a failure some may still read it).
  sourceBuffers.give(source.bytes);
  return { rows, cols, bits, blockSize, blocksPerRow, ...out };
}

/** `quantizeChannelsInt8` of the tensor `name`, on worker threads as `quantizeTensorBlocks`. */
export async function quantizeTensorChannels(
  weights: WeightSource,
  name: string,
  rows: number,
  cols: number,
): Promise<ChannelQuantized> {
  const pool = sharedQuantizePool();
  if (pool === undefined) return quantizeChannelsInt8(await weights.readFloat32(name), rows, cols, name);
  const allocatedBefore = sourceBuffers.allocatedBytes;
  const source = await readShared(weights, name, rows, cols);
  const out = {
    transposed: new Int8Array(new SharedArrayBuffer(rows * cols)),
    scales: sharedFloats(rows),
  };
  pool.allocated(out.transposed.byteLength + newSourceBytes(allocatedBefore));
  await runSplit(pool, rows, (rowStart, rowEnd) => ({
    kind: 'channels',
    tensor: name,
    source,
    rows,
    cols,
    rowStart,
    rowEnd,
    out,
  }));
  // Back for the next tensor only when every task is done (after a failure some may still read it).
  sourceBuffers.give(source.bytes);
  return { rows, cols, ...out };
}
