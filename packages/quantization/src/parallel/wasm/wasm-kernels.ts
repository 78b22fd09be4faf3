import type { BlockQuantSpec } from '../../block-quantize.js';
import type { BlockOutputs, ChannelOutputs } from '../quantize-rows.js';
import type { RowSource } from '../row-source.js';
import { QUANTIZE_KERNELS_WASM_BASE64 } from './quantize-kernels-wasm.js';

/** The part of the WebAssembly API used here (the project's TypeScript libs carry no DOM types). */
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: unknown };
};

/** The exports of quantize-kernels.wat (addresses are byte offsets into `memory`). */
interface KernelExports {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  symmetricBlocks(
    src: number,
    blocks: number,
    size: number,
    bits: number,
    data: number,
    scales: number,
  ): void;
  int8Rows(src: number, rows: number, cols: number, out: number, scales: number): number;
  transposeBytes(src: number, rows: number, cols: number, out: number): void;
}

/** Source bytes one kernel call takes: the module's memory holds them and their outputs. */
const CHUNK_SOURCE_BYTES = 4 << 20;
const PAGE_BYTES = 65536;

let kernels: KernelExports | undefined;

/** This thread's instance (compiled on first use: ~1.6 KB, well under a millisecond). */
function instance(): KernelExports {
  kernels ??= new WebAssembly.Instance(
    new WebAssembly.Module(Buffer.from(QUANTIZE_KERNELS_WASM_BASE64, 'base64')),
  ).exports as KernelExports;
  return kernels;
}

/** The module's memory, grown to at least `bytes`. */
function memoryOf(k: KernelExports, bytes: number): ArrayBuffer {
  const { memory } = k;
  if (memory.buffer.byteLength < bytes) {
    memory.grow(Math.ceil((bytes - memory.buffer.byteLength) / PAGE_BYTES));
  }
  return memory.buffer;
}

/** The stored bf16 words of a BF16 source. */
function wordsOf(source: RowSource): Uint16Array {
  const { buffer, byteOffset, byteLength } = source.bytes;
  return new Uint16Array(buffer, byteOffset, byteLength / 2);
}

/** Rows per kernel call for rows of `cols` bf16 values. */
function chunkRows(cols: number): number {
  return Math.max(1, Math.floor(CHUNK_SOURCE_BYTES / (cols * 2)));
}

/**
 * Whether `symmetricBlockRows` computes these blocks: bf16 sources, symmetric 4- or 8-bit blocks of a
 * multiple of 8 values that tile the rows (no padded last block), no zero points written.
 */
export function wasmTakesBlocks(
  source: RowSource,
  cols: number,
  spec: BlockQuantSpec,
  out: BlockOutputs,
): boolean {
  const { bits, blockSize, symmetric } = spec;
  return (
    source.dtype === 'BF16' &&
    symmetric &&
    (bits === 4 || bits === 8) &&
    blockSize % 8 === 0 &&
    cols % blockSize === 0 &&
    out.zeroPoints === undefined
  );
}

/** `quantizeBlockRows` for what `wasmTakesBlocks` accepts: the same bytes, by the SIMD kernel. */
export function symmetricBlockRows(
  source: RowSource,
  cols: number,
  spec: BlockQuantSpec,
  rowStart: number,
  rowEnd: number,
  out: BlockOutputs,
): void {
  const { bits, blockSize } = spec;
  const words = wordsOf(source);
  const k = instance();
  const blocksPerRow = cols / blockSize;
  const rowDataBytes = (cols * bits) / 8;
  const per = chunkRows(cols);
  // Memory: [per, cols] bf16 source | [per, blocksPerRow, blob] data | [per * blocksPerRow] scales.
  const dataAt = per * cols * 2;
  const scalesAt = dataAt + Math.ceil((per * rowDataBytes) / 4) * 4;
  const buffer = memoryOf(k, scalesAt + per * blocksPerRow * 4);
  for (let r = rowStart; r < rowEnd; r += per) {
    const n = Math.min(per, rowEnd - r);
    new Uint16Array(buffer, 0, n * cols).set(words.subarray(r * cols, (r + n) * cols));
    k.symmetricBlocks(0, n * blocksPerRow, blockSize, bits, dataAt, scalesAt);
    out.data.set(new Uint8Array(buffer, dataAt, n * rowDataBytes), r * rowDataBytes);
    out.scales.set(new Float32Array(buffer, scalesAt, n * blocksPerRow), r * blocksPerRow);
  }
}

/** Whether `int8ChannelRows` computes these rows: bf16 sources whose rows are whole runs of 8. */
export function wasmTakesChannels(source: RowSource, cols: number): boolean {
  return source.dtype === 'BF16' && cols % 8 === 0;
}

/**
 * `quantizeChannelRows` for what `wasmTakesChannels` accepts: the same bytes, by the SIMD kernel; a row
 * holding a NaN goes through `floatRows(row, row + 1)` (the reference's NaN scale comes from its float
 * scan), which writes that row over what the kernel left.
 */
export function int8ChannelRows(
  source: RowSource,
  rows: number,
  cols: number,
  rowStart: number,
  rowEnd: number,
  out: ChannelOutputs,
  floatRows: (start: number, end: number) => void,
): void {
  const words = wordsOf(source);
  const k = instance();
  const per = chunkRows(cols);
  // Memory: [per, cols] bf16 source | [per, cols] int8 | [cols, per] int8 transposed | [per] scales.
  const rowsAt = per * cols * 2;
  const columnsAt = rowsAt + per * cols;
  const scalesAt = columnsAt + Math.ceil((per * cols) / 4) * 4;
  const buffer = memoryOf(k, scalesAt + per * 4);
  const nanRows: number[] = [];
  for (let r = rowStart; r < rowEnd; r += per) {
    const n = Math.min(per, rowEnd - r);
    new Uint16Array(buffer, 0, n * cols).set(words.subarray(r * cols, (r + n) * cols));
    if (k.int8Rows(0, n, cols, rowsAt, scalesAt) !== 0) {
      // A NaN in the chunk: row by row, so only its rows take the float path.
      for (let j = 0; j < n; j++) {
        if (k.int8Rows(j * cols * 2, 1, cols, rowsAt + j * cols, scalesAt + 4 * j) !== 0) nanRows.push(r + j);
      }
    }
    k.transposeBytes(rowsAt, n, cols, columnsAt);
    // [cols, n] -> the columns' runs at c * rows + r of the [cols, rows] output.
    const columns = new Int8Array(buffer, columnsAt, n * cols);
    for (let c = 0; c < cols; c++) out.transposed.set(columns.subarray(c * n, c * n + n), c * rows + r);
    out.scales.set(new Float32Array(buffer, scalesAt, n), r);
  }
  for (const row of nanRows) floatRows(row, row + 1);
}
