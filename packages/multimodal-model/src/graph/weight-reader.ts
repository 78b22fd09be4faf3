import { transpose, type WeightSource } from '@gemma3/text-model';

/** Where the graph builder gets tensors: read (as float32) when the model is saved, one at a time. */
export type WeightReader = WeightSource;

export { transpose };

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
