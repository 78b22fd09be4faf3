/** Where the graph builder gets tensors: read (as float32) when the model is saved, one at a time. */
export interface WeightReader {
  readFloat32(name: string): Promise<Float32Array>;
}

/** [rows, cols] -> [cols, rows], in cache-friendly blocks. */
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

/**
 * Linear weights [out_i, in] (PyTorch layout) of several layers side by side, transposed:
 * [in, sum(out_i)], so one MatMul computes all of them (e.g. q, k, v).
 */
export function transposeAndConcat(
  parts: readonly Float32Array[],
  outs: readonly number[],
  inFeatures: number,
): Float32Array {
  const total = outs.reduce((a, b) => a + b, 0);
  const result = new Float32Array(inFeatures * total);
  let column = 0;
  parts.forEach((part, i) => {
    const out = outs[i]!;
    const t = transpose(part, out, inFeatures); // [in, out]
    for (let r = 0; r < inFeatures; r++) result.set(t.subarray(r * out, (r + 1) * out), r * total + column);
    column += out;
  });
  return result;
}

/** Several 1-D tensors one after another. */
export function concat(parts: readonly Float32Array[]): Float32Array {
  const result = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    result.set(p, offset);
    offset += p.length;
  }
  return result;
}
