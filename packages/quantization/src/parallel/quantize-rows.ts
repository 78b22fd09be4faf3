import { asymmetricBlock, type BlockQuantSpec, zeroPointBytesPerRow } from '../block-quantize.js';
import { roundHalfUp } from './round-half-up.js';
import { RowReader, type RowSource } from './row-source.js';
import {
  int8ChannelRows,
  symmetricBlockRows,
  wasmTakesBlocks,
  wasmTakesChannels,
} from './wasm/wasm-kernels.js';

/** Outputs of a block quantization ([N, blocks, blob] data, [N * blocks] scales, zero points). */
export interface BlockOutputs {
  data: Uint8Array;
  scales: Float32Array;
  zeroPoints: Uint8Array | undefined;
}

/** Outputs of a per-channel int8 quantization ([K, N] transposed weights, [N] scales). */
export interface ChannelOutputs {
  transposed: Int8Array;
  scales: Float32Array;
}

/**
 * Rows `rowStart` to `rowEnd` (exclusive) of `quantizeBlocks`, into the whole tensor's outputs: the
 * same arithmetic in the same order, element for element (tested against it), so any split of the
 * rows between threads writes the bytes the single call writes. Rows share no output byte (4-bit zero
 * points are padded to whole bytes per row). Symmetric blocks of bf16 rows (what a Gemma checkpoint
 * quantizes to q4 / q8) run in the SIMD kernel of wasm/ (~3x faster), the rest in the loop below.
 */
export function quantizeBlockRows(
  source: RowSource,
  rows: number,
  cols: number,
  spec: BlockQuantSpec,
  rowStart: number,
  rowEnd: number,
  out: BlockOutputs,
): void {
  if (rowEnd > rows) throw new RangeError(`rows ${rowStart}..${rowEnd} outside [0, ${rows})`);
  if (wasmTakesBlocks(source, cols, spec, out)) symmetricBlockRows(source, cols, spec, rowStart, rowEnd, out);
  else floatBlockRows(source, cols, spec, rowStart, rowEnd, out);
}

/** `quantizeBlockRows` over rows read as float32: every dtype, spec and shape. */
function floatBlockRows(
  source: RowSource,
  cols: number,
  spec: BlockQuantSpec,
  rowStart: number,
  rowEnd: number,
  out: BlockOutputs,
): void {
  const { bits, blockSize } = spec;
  const blocksPerRow = Math.ceil(cols / blockSize);
  const blobBytes = (blockSize * bits) / 8;
  const qmax = (1 << bits) - 1;
  const half = 1 << (bits - 1);
  const zpRow = zeroPointBytesPerRow(blocksPerRow, bits);
  const { data, scales, zeroPoints } = out;
  const reader = new RowReader(source, cols);
  const row = new Float32Array(cols);
  const q = new Uint8Array(blockSize);

  for (let r = rowStart; r < rowEnd; r++) {
    reader.read(r, 1, row);
    for (let b = 0; b < blocksPerRow; b++) {
      const start = b * blockSize;
      const length = Math.min(blockSize, cols - start);
      let scale: number;
      let zp: number;
      if (spec.symmetric) {
        const extreme = reader.extreme(r, row, start, length);
        scale = Math.fround(extreme / -half);
        zp = half;
      } else {
        ({ scale, zp } = asymmetricBlock(row, start, length, qmax));
      }
      const inverse = scale === 0 ? 0 : 1 / scale;
      const blob = (r * blocksPerRow + b) * blobBytes;
      if (length === blockSize && bits === 8) {
        // Full blocks straight into the data (a byte store of NaN is 0, as through q).
        for (let i = 0; i < blockSize; i++) {
          data[blob + i] = Math.min(Math.max(roundHalfUp(row[start + i]! * inverse) + zp, 0), qmax);
        }
      } else if (length === blockSize) {
        for (let i = 0, at = start; i < blobBytes; i++, at += 2) {
          const low = Math.min(Math.max(roundHalfUp(row[at]! * inverse) + zp, 0), qmax);
          const high = Math.min(Math.max(roundHalfUp(row[at + 1]! * inverse) + zp, 0), qmax);
          data[blob + i] = low | (high << 4); // NaN | x and NaN << 4 read NaN as 0, as a byte store does
        }
      } else {
        // The last block of a row whose length is not a multiple: padded with the zero point.
        for (let i = 0; i < length; i++) {
          q[i] = Math.min(Math.max(roundHalfUp(row[start + i]! * inverse) + zp, 0), qmax);
        }
        for (let i = length; i < blockSize; i++) q[i] = zp;
        if (bits === 8) data.set(q, blob);
        else for (let i = 0; i < blobBytes; i++) data[blob + i] = q[2 * i]! | (q[2 * i + 1]! << 4);
      }
      scales[r * blocksPerRow + b] = scale;
      if (zeroPoints) {
        if (bits === 8) zeroPoints[r * zpRow + b] = zp;
        else if ((b & 1) === 0) zeroPoints[r * zpRow + (b >> 1)] = zp;
        else zeroPoints[r * zpRow + (b >> 1)]! |= zp << 4;
      }
    }
  }
}

/** Rows quantized together by `quantizeChannelRows`: each column of the tile is one run of bytes. */
const TILE_ROWS = 32;

/**
 * Rows `rowStart` to `rowEnd` of `quantizeChannelsInt8` (int8 per output channel, transposed to
 * [K, N]), into the whole tensor's outputs, with the same arithmetic element for element. bf16 rows
 * run in the SIMD kernel of wasm/ (~2.5x faster), the rest in the loop below.
 */
export function quantizeChannelRows(
  source: RowSource,
  rows: number,
  cols: number,
  rowStart: number,
  rowEnd: number,
  out: ChannelOutputs,
): void {
  if (rowEnd > rows) throw new RangeError(`rows ${rowStart}..${rowEnd} outside [0, ${rows})`);
  const floatRows = (start: number, end: number) => floatChannelRows(source, rows, cols, start, end, out);
  if (wasmTakesChannels(source, cols)) int8ChannelRows(source, rows, cols, rowStart, rowEnd, out, floatRows);
  else floatRows(rowStart, rowEnd);
}

/**
 * `quantizeChannelRows` over rows read as float32. Rows go in tiles of 32, so the transposed writes
 * are runs of 32 bytes rather than single bytes N apart.
 */
function floatChannelRows(
  source: RowSource,
  rows: number,
  cols: number,
  rowStart: number,
  rowEnd: number,
  out: ChannelOutputs,
): void {
  const { transposed, scales } = out;
  const reader = new RowReader(source, cols);
  const tile = new Float32Array(TILE_ROWS * cols);
  const inverses = new Float64Array(TILE_ROWS);

  for (let r0 = rowStart; r0 < rowEnd; r0 += TILE_ROWS) {
    const count = Math.min(TILE_ROWS, rowEnd - r0);
    reader.read(r0, count, tile);
    for (let j = 0; j < count; j++) {
      const max = reader.maxAbs(r0 + j, tile, j * cols);
      const scale = Math.fround(max / 127);
      scales[r0 + j] = scale;
      inverses[j] = scale === 0 ? 0 : 1 / scale;
    }
    for (let c = 0; c < cols; c++) {
      const at = c * rows + r0;
      for (let j = 0; j < count; j++) {
        transposed[at + j] = Math.min(127, Math.max(-127, roundHalfUp(tile[j * cols + c]! * inverses[j]!)));
      }
    }
  }
}
