/** Where the graph builder gets tensors: read when the model is saved, one at a time. */
export interface WeightSource {
  readFloat32(name: string): Promise<Float32Array>;
  /**
   * The bytes as stored (optional: a checkpoint has it, derived tensors need not); `{ shared: true }`
   * reads into a SharedArrayBuffer, so quantizing worker threads take 16-bit weights without a copy.
   */
  read?(name: string, options?: ReadBytesOptions): Promise<{ dtype: string; bytes: Uint8Array }>;
}

/**
 * Options of `WeightSource.read`: `shared` as above; `buffers` gives the buffers to read into (reused
 * between tensors: fresh memory costs a page fault per 4 KiB) and takes back the ones a source used
 * only on the way (a packed tensor's parts).
 */
export interface ReadBytesOptions {
  shared?: boolean;
  buffers?: { take(byteLength: number): Uint8Array; give(bytes: Uint8Array): void };
}

/** [rows, cols] -> [cols, rows]. */
export function transpose(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(data.length);
  const block = 64;
  for (let r0 = 0; r0 < rows; r0 += block) {
    const r1 = Math.min(r0 + block, rows);
    for (let c0 = 0; c0 < cols; c0 += block) {
      const c1 = Math.min(c0 + block, cols);
      for (let r = r0; r < r1; r++) {
        const rowOffset = r * cols;
        for (let c = c0; c < c1; c++) out[c * rows + r] = data[rowOffset + c]!;
      }
    }
  }
  return out;
}
