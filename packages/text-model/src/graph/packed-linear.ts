import type { GraphBuilder } from '@gemma3/onnx';
import type { WeightOps } from './weight-ops.js';
import type { WeightSource } from './weight-source.js';

/** Joins tensor names into the name of their row-wise concatenation (see `withPackedTensors`). */
const PACK_SEPARATOR = '+';

/**
 * A WeightSource that also serves row-wise concatenations: `a+b` is tensor a's rows followed by b's
 * (Linear weights [out, in] sharing `in`). Read when the model is saved, like any tensor.
 */
export function withPackedTensors(weights: WeightSource): WeightSource {
  return {
    async readFloat32(name) {
      if (!name.includes(PACK_SEPARATOR)) return weights.readFloat32(name);
      const parts: Float32Array[] = [];
      for (const part of name.split(PACK_SEPARATOR)) parts.push(await weights.readFloat32(part));
      const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
      let offset = 0;
      for (const p of parts) {
        out.set(p, offset);
        offset += p.length;
      }
      return out;
    },
  };
}

/**
 * Several Linear layers on the same input as one matrix multiplication over their concatenated
 * weights, split afterwards: x [..., in] -> one [..., out_i] per tensor. One kernel call instead of
 * several (fewer dispatches per decode step, wider N to share between threads); block quantization
 * runs per row, so a packed quantized weight holds exactly the blocks of the separate ones.
 * `weights` must serve packed names (`withPackedTensors`).
 */
export function packedLinear(
  g: GraphBuilder,
  ops: WeightOps,
  weights: WeightSource,
  x: string,
  tensorNames: readonly string[],
  outFeatures: readonly number[],
  inFeatures: number,
): string[] {
  const total = outFeatures.reduce((a, b) => a + b, 0);
  const joined = ops.linear(g, weights, x, tensorNames.join(PACK_SEPARATOR), total, inFeatures); // [..., sum out]
  const parts = g.node('Split', [joined, g.int64s([...outFeatures])], {
    attrs: { axis: -1 },
    outputs: tensorNames.length,
    name: `${tensorNames[0]}.packed_split`,
  });
  return parts as string[]; // [..., out_i] each
}
