import { attr, type GraphBuilder } from '@gemma3/onnx';

/**
 * The attention core of one SigLIP layer, from the biased q/k/v projection to the merged heads:
 * qkv [N, P, 3 Hv] (q, k, v stacked on the last axis) -> [N, P, Hv], softmax(q k^T * D^-0.5) v per head.
 */
export interface AttentionShape {
  heads: number;
  /** Per-head width D = Hv / heads. */
  headDim: number;
}

/** Biased qkv [N, P, 3 Hv] -> q, k, v of every head: [N, NH, P, D] each. */
export function splitHeads(
  g: GraphBuilder,
  qkv: string,
  s: AttentionShape,
  p: string,
): [string, string, string] {
  const split = g.op('Reshape', [qkv, g.int64s([0, 0, 3, s.heads, s.headDim])], { name: `${p}.qkv_heads` }); // [N, P, 3, NH, D]
  const t = g.op('Transpose', [split], { attrs: { perm: [2, 0, 3, 1, 4] }, name: `${p}.qkv_t` }); // [3, N, NH, P, D]
  const [q, k, v] = g.node('Split', [t], {
    attrs: { axis: 0, num_outputs: 3 },
    outputs: 3,
    name: `${p}.split`,
  });
  const squeeze = (name: string, x: string) => g.op('Squeeze', [x, g.int64s([0])], { name: `${p}.${name}` }); // [N, NH, P, D]
  return [squeeze('q', q!), squeeze('k', k!), squeeze('v', v!)];
}

/** [N, NH, P, D] -> [N, P, NH * D]. */
export function mergeHeads(g: GraphBuilder, out: string, s: AttentionShape, p: string): string {
  const outT = g.op('Transpose', [out], { attrs: { perm: [0, 2, 1, 3] }, name: `${p}.out_t` }); // [N, P, NH, D]
  return g.op('Reshape', [outT, g.int64s([0, 0, s.heads * s.headDim])], { name: `${p}.merged` }); // [N, P, Hv]
}

/**
 * onnxruntime's `com.microsoft.MultiHeadAttention` (its CPU kernel tiles the scores, flash-attention
 * style, in float32). `bias` [3 Hv] is added to q/k/v inside the op.
 */
export function fusedAttention(
  g: GraphBuilder,
  qkv: string,
  bias: string,
  s: AttentionShape,
  p: string,
): string {
  const [q, k, v] = g.node('Split', [qkv], {
    attrs: { axis: -1, num_outputs: 3 },
    outputs: 3,
    name: `${p}.split`,
  });
  return g.op('MultiHeadAttention', [q!, k!, v!, bias], {
    domain: 'com.microsoft',
    attrs: { num_heads: s.heads, scale: attr.float(s.headDim ** -0.5) },
    name: `${p}.mha`,
  });
}

/** Float32 FusedMatMul (q k^T, scaled) / Softmax / MatMul over the whole [N, NH, P, P] score tensor. */
export function opsAttention(
  g: GraphBuilder,
  qkv: string,
  bias: string,
  s: AttentionShape,
  p: string,
): string {
  const biased = g.op('Add', [qkv, bias], { name: `${p}.qkv_bias` });
  const [q, k, v] = splitHeads(g, biased, s, p);
  const scores = g.op('FusedMatMul', [q, k], {
    domain: 'com.microsoft',
    attrs: { transB: 1, alpha: attr.float(s.headDim ** -0.5) },
    name: `${p}.scores`,
  }); // [N, NH, P, P]
  const probs = g.op('Softmax', [scores], { attrs: { axis: -1 }, name: `${p}.probs` });
  const out = g.op('MatMul', [probs, v], { name: `${p}.out` }); // [N, NH, P, D]
  return mergeHeads(g, out, s, p);
}
