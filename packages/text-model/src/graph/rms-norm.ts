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
  const scale = g.initializer(`${tensorName}.plus_one`, 'float32', [size], async () => {
    const w = await weights.readFloat32(tensorName);
    const out = new Float32Array(size);
    for (let i = 0; i < size; i++) out[i] = Math.fround(1 + w[i]!);
    return out;
  });
  return g.op('SimplifiedLayerNormalization', [x, scale], {
    name: `${tensorName}.norm`,
    attrs: { axis: -1, epsilon: attr.float(eps), stash_type: 1 },
  });
}
