import { float16Table } from '@gemma3/weights';

/** bf16 bits of +Infinity without the sign; anything above is a NaN. */
const BF16_INFINITY = 0x7f80;
const BITS = new Uint32Array(1);
const FLOAT = new Float32Array(BITS.buffer);

function floatMaxAbs(values: Float32Array, offset: number, cols: number): number {
  let max = 0;
  for (let c = 0; c < cols; c++) max = Math.max(max, Math.abs(values[offset + c]!));
  return max;
}

/** Element types a stored tensor may have when it is quantized (16-bit ones widened exactly). */
export type SourceDtype = 'F32' | 'BF16' | 'F16';

/** A row-major [rows, cols] tensor as stored: little-endian bytes of `dtype`. */
export interface RowSource {
  dtype: SourceDtype;
  bytes: Uint8Array;
}

/** Bytes per element of a source dtype. */
export function sourceBytesPerElement(dtype: SourceDtype): number {
  return dtype === 'F32' ? 4 : 2;
}

/**
 * Reads rows of a source as float32 (exact: bf16 and f16 widen without rounding, so a kernel over
 * these rows computes what it would over the tensor read with `readFloat32`).
 */
export class RowReader {
  private readonly words: Uint16Array | undefined;
  private readonly floats: Float32Array | undefined;
  private readonly table: Float32Array | undefined;

  constructor(
    source: RowSource,
    readonly cols: number,
  ) {
    const { buffer, byteOffset, byteLength } = source.bytes;
    if (source.dtype === 'F32') {
      this.floats = new Float32Array(buffer, byteOffset, byteLength / 4);
    } else {
      this.words = new Uint16Array(buffer, byteOffset, byteLength / 2);
      if (source.dtype === 'F16') this.table = float16Table();
    }
  }

  /**
   * max |x| over row `row`, as `quantizeChannelsInt8` computes it (NaN if the row holds one), given
   * the row already read into `values` from `offset`. bf16 rows are scanned as integers: for every
   * value but NaN, |x| orders as its bits without the sign do.
   */
  maxAbs(row: number, values: Float32Array, offset: number): number {
    const { cols } = this;
    if (this.words === undefined || this.table !== undefined) return floatMaxAbs(values, offset, cols);
    const words = this.words;
    const start = row * cols;
    let bits = 0;
    for (let c = 0; c < cols; c++) {
      const magnitude = words[start + c]! & 0x7fff;
      if (magnitude > bits) bits = magnitude;
    }
    // A NaN: the float scan, whose NaN (its sign bit) is the one quantizeChannelsInt8 stores.
    if (bits > BF16_INFINITY) return floatMaxAbs(values, offset, cols);
    BITS[0] = bits << 16;
    return FLOAT[0]!;
  }

  /**
   * The first value of largest magnitude among `length` values of row `row` from column `start` (0 if
   * all are zero; NaN never wins), as `quantizeBlocks` picks a symmetric block's extreme, given the row
   * already read into `values`. bf16 rows compare the bits without the sign, as integers.
   */
  extreme(row: number, values: Float32Array, start: number, length: number): number {
    if (this.words === undefined || this.table !== undefined) {
      let extreme = 0;
      for (let i = 0; i < length; i++) {
        const v = values[start + i]!;
        if (Math.abs(v) > Math.abs(extreme)) extreme = v;
      }
      return extreme;
    }
    const words = this.words;
    const first = row * this.cols + start;
    let best = 0;
    let at = -1;
    for (let i = 0; i < length; i++) {
      const magnitude = words[first + i]! & 0x7fff;
      if (magnitude > best && magnitude <= BF16_INFINITY) {
        best = magnitude;
        at = i;
      }
    }
    return at < 0 ? 0 : values[start + at]!;
  }

  /** `count` rows from `row` on, as float32 into `out` (count * cols values, row after row). */
  read(row: number, count: number, out: Float32Array): void {
    const start = row * this.cols;
    const n = count * this.cols;
    if (this.floats) {
      out.set(this.floats.subarray(start, start + n));
      return;
    }
    const words = this.words!;
    if (this.table) {
      const table = this.table;
      for (let i = 0; i < n; i++) out[i] = table[words[start + i]!]!;
      return;
    }
    const bits = new Uint32Array(out.buffer, out.byteOffset, n);
    for (let i = 0; i < n; i++) bits[i] = words[start + i]! << 16;
  }
}
