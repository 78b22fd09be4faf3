import { QuantizationOptionsError } from './errors/quantization-options-error.js';
import { QuantizationShapeError } from './errors/quantization-shape-error.js';

export type Bits = 4 | 8;
export type BlockSize = 16 | 32 | 64 | 128 | 256;

export interface BlockQuantSpec {
  bits: Bits;
  /** Weights per block along the input (K) axis. */
  blockSize: BlockSize;
  /**
   * Symmetric: no zero points stored (onnxruntime's default zero point 2^(bits-1) applies), and the
   * value of largest magnitude in a block maps exactly to -2^(bits-1). Asymmetric: a per-block
   * zero point over [min(0, x), max(0, x)] (zero stays exactly representable).
   */
  symmetric: boolean;
}

/** A [N, K] matrix quantized in blocks along K, in the layout onnxruntime's MatMulNBits reads. */
export interface BlockQuantized {
  /** Rows (N: output features, or vocabulary rows). */
  rows: number;
  /** Columns (K: input features, or hidden size). */
  cols: number;
  bits: Bits;
  blockSize: number;
  /** ceil(K / blockSize). */
  blocksPerRow: number;
  /** [N, blocksPerRow, blockSize * bits / 8] uint8; 4-bit: element 2i in the low nibble of byte i. */
  data: Uint8Array;
  /** [N * blocksPerRow] float32. */
  scales: Float32Array;
  /**
   * Asymmetric only, MatMulNBits layout: [N * ceil(blocksPerRow * bits / 8)] uint8 (4-bit: two
   * blocks per byte, even block in the low nibble, each row padded to whole bytes).
   */
  zeroPoints: Uint8Array | undefined;
}

export function checkSpec(spec: BlockQuantSpec, where = 'quantization'): void {
  if (spec.bits !== 4 && spec.bits !== 8) {
    throw new QuantizationOptionsError(`${where}.bits`, `must be 4 or 8, got ${String(spec.bits)}`);
  }
  const b = spec.blockSize as number;
  if (!Number.isInteger(b) || b < 16 || b > 256 || (b & (b - 1)) !== 0) {
    throw new QuantizationOptionsError(
      `${where}.blockSize`,
      `must be a power of two from 16 to 256 (32, 64 or 128 usually), got ${String(b)}`,
    );
  }
  if (typeof spec.symmetric !== 'boolean') {
    throw new QuantizationOptionsError(`${where}.symmetric`, 'must be true or false');
  }
}

/** Bytes per row of zero points in MatMulNBits' packed layout. */
export function zeroPointBytesPerRow(blocksPerRow: number, bits: Bits): number {
  return Math.ceil((blocksPerRow * bits) / 8);
}

/**
 * An asymmetric block's scale and zero point: [min, max] of its `length` values from `start`, 0
 * included (NaN ignored), spread over 0..qmax; a block of zeros gets scale 0 and the middle zero point.
 * Shared by `quantizeBlocks` and the worker kernels, so both compute the same bytes.
 */
export function asymmetricBlock(
  values: Float32Array,
  start: number,
  length: number,
  qmax: number,
): { scale: number; zp: number } {
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < length; i++) {
    const v = values[start + i]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const scale = Math.fround((hi - lo) / qmax);
  const zp = scale === 0 ? (qmax + 1) / 2 : Math.min(qmax, Math.max(0, Math.round(-lo / scale)));
  return { scale, zp };
}

/**
 * Quantizes a row-major float32 [rows, cols] matrix in blocks of `blockSize` along each row (the
 * last block zero-padded when cols is not a multiple). Dequantized value: (q - zp) * scale.
 */
export function quantizeBlocks(
  values: Float32Array,
  rows: number,
  cols: number,
  spec: BlockQuantSpec,
  tensor = 'tensor',
): BlockQuantized {
  checkSpec(spec);
  if (values.length !== rows * cols) {
    throw new QuantizationShapeError(
      tensor,
      `has ${values.length} values, [${rows}, ${cols}] needs ${rows * cols}`,
    );
  }
  const { bits, blockSize } = spec;
  const blocksPerRow = Math.ceil(cols / blockSize);
  const blobBytes = (blockSize * bits) / 8;
  const qmax = (1 << bits) - 1;
  const half = 1 << (bits - 1);
  const data = new Uint8Array(rows * blocksPerRow * blobBytes);
  const scales = new Float32Array(rows * blocksPerRow);
  const zpRow = zeroPointBytesPerRow(blocksPerRow, bits);
  const zeroPoints = spec.symmetric ? undefined : new Uint8Array(rows * zpRow);
  const q = new Uint8Array(blockSize);

  for (let r = 0; r < rows; r++) {
    const rowOffset = r * cols;
    for (let b = 0; b < blocksPerRow; b++) {
      const start = rowOffset + b * blockSize;
      const length = Math.min(blockSize, cols - b * blockSize);
      let scale: number;
      let zp: number;
      if (spec.symmetric) {
        // The value of largest magnitude maps to -half exactly (its sign picks the scale's sign).
        let extreme = 0;
        for (let i = 0; i < length; i++) {
          const v = values[start + i]!;
          if (Math.abs(v) > Math.abs(extreme)) extreme = v;
        }
        scale = Math.fround(extreme / -half);
        zp = half;
      } else {
        ({ scale, zp } = asymmetricBlock(values, start, length, qmax));
      }
      const inverse = scale === 0 ? 0 : 1 / scale;
      q.fill(zp);
      for (let i = 0; i < length; i++) {
        const v = Math.round(values[start + i]! * inverse) + zp;
        q[i] = Math.min(Math.max(v, 0), qmax);
      }
      const blob = (r * blocksPerRow + b) * blobBytes;
      if (bits === 8) {
        data.set(q, blob);
      } else {
        for (let i = 0; i < blobBytes; i++) data[blob + i] = q[2 * i]! | (q[2 * i + 1]! << 4);
      }
      scales[r * blocksPerRow + b] = scale;
      if (zeroPoints) {
        if (bits === 8) zeroPoints[r * zpRow + b] = zp;
        else zeroPoints[r * zpRow + (b >> 1)]! |= (b & 1) === 0 ? zp : zp << 4;
      }
    }
  }
  return { rows, cols, bits, blockSize, blocksPerRow, data, scales, zeroPoints };
}

/** The quantized element at [row, col] (before subtracting the zero point). */
export function quantizedAt(q: BlockQuantized, row: number, col: number): number {
  const blobBytes = (q.blockSize * q.bits) / 8;
  const b = Math.floor(col / q.blockSize);
  const i = col % q.blockSize;
  const blob = (row * q.blocksPerRow + b) * blobBytes;
  if (q.bits === 8) return q.data[blob + i]!;
  const byte = q.data[blob + (i >> 1)]!;
  return (i & 1) === 0 ? byte & 0x0f : byte >> 4;
}

/** The zero point of block `block` of `row` (2^(bits-1) when symmetric). */
export function zeroPointAt(q: BlockQuantized, row: number, block: number): number {
  if (!q.zeroPoints) return 1 << (q.bits - 1);
  const zpRow = zeroPointBytesPerRow(q.blocksPerRow, q.bits);
  if (q.bits === 8) return q.zeroPoints[row * zpRow + block]!;
  const byte = q.zeroPoints[row * zpRow + (block >> 1)]!;
  return (block & 1) === 0 ? byte & 0x0f : byte >> 4;
}

/** Back to float32 [rows, cols]: (q - zp) * scale, computed in float32 like onnxruntime. */
export function dequantizeBlocks(q: BlockQuantized): Float32Array {
  const out = new Float32Array(q.rows * q.cols);
  for (let r = 0; r < q.rows; r++) {
    for (let c = 0; c < q.cols; c++) {
      const b = Math.floor(c / q.blockSize);
      const scale = q.scales[r * q.blocksPerRow + b]!;
      out[r * q.cols + c] = Math.fround((quantizedAt(q, r, c) - zeroPointAt(q, r, b)) * scale);
    }
  }
  return out;
}

/**
 * Zero points in GatherBlockQuantized's layout for data [N, blocksPerRow, blob] with
 * quantize_axis 2 (scales [N, blocksPerRow, 1]): one zero point per byte (4-bit: low nibble).
 */
export function gatherZeroPoints(q: BlockQuantized): Uint8Array | undefined {
  if (!q.zeroPoints) return undefined;
  if (q.bits === 8) return q.zeroPoints;
  const out = new Uint8Array(q.rows * q.blocksPerRow);
  for (let r = 0; r < q.rows; r++) {
    for (let b = 0; b < q.blocksPerRow; b++) out[r * q.blocksPerRow + b] = zeroPointAt(q, r, b);
  }
  return out;
}

/** ||W - deq(W)||_2 / ||W||_2 (0 for an all-zero W). */
export function relativeError(original: Float32Array, q: BlockQuantized): number {
  const deq = dequantizeBlocks(q);
  let num = 0;
  let den = 0;
  for (let i = 0; i < original.length; i++) {
    const d = original[i]! - deq[i]!;
    num += d * d;
    den += original[i]! * original[i]!;
  }
  return den === 0 ? 0 : Math.sqrt(num / den);
}

/** Symmetric int8 per output channel, transposed for DynamicQuantizeMatMul: B [K, N], scale [N]. */
export interface ChannelQuantized {
  rows: number;
  cols: number;
  /** [cols (K), rows (N)] int8: the weight transposed, in [-127, 127]. */
  transposed: Int8Array;
  /** [rows (N)]: max |W[n, :]| / 127. */
  scales: Float32Array;
}

/** Quantizes a row-major [rows = N, cols = K] weight per row (output channel) to int8, transposed. */
export function quantizeChannelsInt8(
  values: Float32Array,
  rows: number,
  cols: number,
  tensor = 'tensor',
): ChannelQuantized {
  if (values.length !== rows * cols) {
    throw new QuantizationShapeError(
      tensor,
      `has ${values.length} values, [${rows}, ${cols}] needs ${rows * cols}`,
    );
  }
  const transposed = new Int8Array(rows * cols);
  const scales = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let max = 0;
    for (let c = 0; c < cols; c++) max = Math.max(max, Math.abs(values[r * cols + c]!));
    const scale = Math.fround(max / 127);
    const inverse = scale === 0 ? 0 : 1 / scale;
    scales[r] = scale;
    for (let c = 0; c < cols; c++) {
      transposed[c * rows + r] = Math.min(127, Math.max(-127, Math.round(values[r * cols + c]! * inverse)));
    }
  }
  return { rows, cols, transposed, scales };
}

/** Back to float32 [rows, cols] (untransposed). */
export function dequantizeChannels(q: ChannelQuantized): Float32Array {
  const out = new Float32Array(q.rows * q.cols);
  for (let r = 0; r < q.rows; r++) {
    for (let c = 0; c < q.cols; c++)
      out[r * q.cols + c] = Math.fround(q.transposed[c * q.rows + r]! * q.scales[r]!);
  }
  return out;
}
