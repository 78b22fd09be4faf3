import type { GraphBuilder } from '@gemma3/onnx';
import { transpose, type WeightSource } from './weight-source.js';

/**
 * A bias-free Linear layer: x [..., in] @ W^T -> [..., out], as one MatMul over the weight stored
 * transposed ([in, out]). Every linear layer of the decoder goes through here, so quantization can
 * replace this one function (e.g. by MatMulNBits) without touching the rest of the graph.
 */
export function linear(
  g: GraphBuilder,
  weights: WeightSource,
  x: string,
  tensorName: string,
  outFeatures: number,
  inFeatures: number,
): string {
  const w = g.initializer(`${tensorName}.T`, 'float32', [inFeatures, outFeatures], async () =>
    transpose(await weights.readFloat32(tensorName), outFeatures, inFeatures),
  );
  return g.op('MatMul', [x, w], { name: `${tensorName}.matmul` });
}
