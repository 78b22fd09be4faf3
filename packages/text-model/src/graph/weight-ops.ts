import type { GraphBuilder } from '@gemma3/onnx';
import { linear } from './linear.js';
import type { WeightSource } from './weight-source.js';

/**
 * The three places the decoder graph touches large weight matrices. The float32 build uses
 * `FP32_WEIGHT_OPS`; a quantized build passes its own (MatMulNBits, GatherBlockQuantized, ...) to
 * `buildDecoderGraph` and nothing else in the graph changes.
 */
export interface WeightOps {
  /**
   * Names the build in the model cache (e.g. `linear=q4b32sl4;...`); two WeightOps that build
   * different graphs must differ here. Absent: `fp32`.
   */
  readonly cacheKey?: string;
  /** x [..., in] -> [..., out] for the Linear weight `tensorName` stored [out, in]. */
  linear(
    g: GraphBuilder,
    weights: WeightSource,
    x: string,
    tensorName: string,
    outFeatures: number,
    inFeatures: number,
  ): string;
  /** ids [B, T] -> [B, T, H]: rows of the embedding table `tensorName` [vocab, H] (not yet scaled). */
  embedding(
    g: GraphBuilder,
    weights: WeightSource,
    ids: string,
    tensorName: string,
    vocab: number,
    hidden: number,
  ): string;
  /** x [N, H] -> logits [N, vocab] with `tensorName` [vocab, H] (the tied embedding or lm_head.weight). */
  lmHead(
    g: GraphBuilder,
    weights: WeightSource,
    x: string,
    tensorName: string,
    vocab: number,
    hidden: number,
  ): string;
}

/** A float32 initializer for `tensorName`, shared when several ops use it (the tied embedding). */
function float32Table(
  g: GraphBuilder,
  weights: WeightSource,
  tensorName: string,
  rows: number,
  cols: number,
): string {
  if (g.has(tensorName)) return tensorName;
  return g.initializer(tensorName, 'float32', [rows, cols], () => weights.readFloat32(tensorName));
}

export const FP32_WEIGHT_OPS: WeightOps = {
  linear,
  embedding(g, weights, ids, tensorName, vocab, hidden) {
    const table = float32Table(g, weights, tensorName, vocab, hidden);
    return g.op('Gather', [table, ids], { attrs: { axis: 0 }, name: 'embed.gather' }); // [B, T, H]
  },
  lmHead(g, weights, x, tensorName, vocab, hidden) {
    // [N, H] x [V, H]^T: the table is used as stored (the tied embedding is not copied or transposed).
    const table = float32Table(g, weights, tensorName, vocab, hidden);
    return g.op('Gemm', [x, table], { attrs: { transB: 1 }, name: 'lm_head.gemm' }); // [N, V]
  },
};
