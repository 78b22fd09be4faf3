import type { GraphBuilder } from '@gemma3/onnx';
import { attr } from '@gemma3/onnx';
import type { WeightSource } from './weight-source.js';

/**
 * Gemma RMSNorm over the last axis in float32: x * rsqrt(mean(x^2) + eps) * (1 + w). The `1 + w` is
 * folded into the initializer at build time (in float32, as the reference's `1.0 + weight.float()`).
 */
export function rmsNorm(
  g: GraphBuilder,
  weights: WeightSource,
  x: string,
  tensorName: string,
  size: number,
  eps: number,
): string {
  const scale = plusOne(g, weights, tensorName, size);
  return g.op('SimplifiedLayerNormalization', [x, scale], {
    name: `${tensorName}.norm`,
    attrs: { axis: -1, epsilon: attr.float(eps), stash_type: 1 },
  });
}

/** The norm's `1 + w` initializer (float32, as the reference's `1.0 + weight.float()`). */
function plusOne(g: GraphBuilder, weights: WeightSource, tensorName: string, size: number): string {
  return g.initializer(`${tensorName}.plus_one`, 'float32', [size], async () => {
    const w = await weights.readFloat32(tensorName);
    const out = new Float32Array(size);
    for (let i = 0; i < size; i++) out[i] = Math.fround(1 + w[i]!);
    return out;
  });
}

/**
 * The residual add and the next RMSNorm as one kernel (com.microsoft SkipSimplifiedLayerNormalization):
 * `sum = residual + branch` (float32, as the reference's `residual + hidden_states`), then
 * `normed = rmsnorm(sum) * (1 + w)`. Returns both: the normed input of the next block and the new
 * residual stream.
 */
export function addRmsNorm(
  g: GraphBuilder,
  weights: WeightSource,
  residual: string,
  branch: string,
  tensorName: string,
  size: number,
  eps: number,
): { normed: string; sum: string } {
  const scale = plusOne(g, weights, tensorName, size);
  const [normed, , , sum] = g.node('SkipSimplifiedLayerNormalization', [branch, residual, scale], {
    domain: 'com.microsoft',
    outputs: 4,
    name: `${tensorName}.add_norm`,
    attrs: { epsilon: attr.float(eps) },
  });
  return { normed: normed!, sum: sum! };
}
