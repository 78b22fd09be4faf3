import type { Gemma3TextConfig } from '@gemma3/config';
import { attr, type GraphBuilder } from '@gemma3/onnx';
import type { LayerTensorNames } from '../checkpoint/text-weights.js';
import { DecoderInputs, DecoderOutputs } from './decoder-io.js';
import { packedLinear } from './packed-linear.js';
import { rmsNorm } from './rms-norm.js';
import { applyRope, type RopeTables } from './rope.js';
import type { WeightOps } from './weight-ops.js';
import type { WeightSource } from './weight-source.js';

export interface AttentionContext {
  g: GraphBuilder;
  /** Serves packed names (`withPackedTensors`): q/k/v run as one projection. */
  weights: WeightSource;
  ops: WeightOps;
  config: Gemma3TextConfig;
  /** [B, 1, T, C + T] additive bias for this layer's kind. */
  bias: string;
  rope: RopeTables;
}

/**
 * Self-attention of layer `i` over its cached keys plus this step's keys, without ever copying the
 * cache: scores against the past ([B, KV, G*T, C]) and against the new keys ([B, KV, G*T, T]) are
 * computed separately and concatenated (small), the softmax runs over both, and the two halves of the
 * probabilities multiply the past and new values separately. The new keys/values are graph outputs
 * that the runtime appends to its JS-owned cache. Grouped-query: the G = heads / kv_heads query
 * heads sharing a KV head are folded into the row axis, so no KV head is ever repeated.
 *
 * Returns the output [B, T, H] (before the post-attention norm); with `keysOnly`, only the new
 * keys/values are built (the last layer of a prefill graph needs nothing else).
 */
export function attention(
  ctx: AttentionContext,
  x: string,
  layer: number,
  names: LayerTensorNames,
  keysOnly: true,
): undefined;
export function attention(ctx: AttentionContext, x: string, layer: number, names: LayerTensorNames): string;
export function attention(
  ctx: AttentionContext,
  x: string,
  layer: number,
  names: LayerTensorNames,
  keysOnly = false,
): string | undefined {
  const { g, weights, ops, config: c } = ctx;
  const h = c.hidden_size;
  const nh = c.num_attention_heads;
  const kv = c.num_key_value_heads;
  const d = c.head_dim;
  const p = `layers.${layer}.attn`;

  const [qFlat, kFlat, vFlat] = packedLinear(
    g,
    ops,
    weights,
    x,
    [names.q, names.k, names.v],
    [nh * d, kv * d, kv * d],
    h,
  ); // [B, T, NH*D], [B, T, KV*D], [B, T, KV*D]
  const k = g.op('Reshape', [kFlat!, g.int64s([0, 0, kv, d])], { name: `${p}.k_heads` }); // [B, T, KV, D]
  const v = g.op('Reshape', [vFlat!, g.int64s([0, 0, kv, d])], { name: `${p}.v_heads` }); // [B, T, KV, D]
  const kNormed = rmsNorm(g, weights, k, names.kNorm, d, c.rms_norm_eps);
  const kT = g.op('Transpose', [kNormed], { attrs: { perm: [0, 2, 1, 3] }, name: `${p}.k_t` }); // [B, KV, T, D]
  g.op('Transpose', [v], { attrs: { perm: [0, 2, 1, 3] }, output: DecoderOutputs.newValue(layer) }); // [B, KV, T, D]
  const newKey = applyRope(g, kT, ctx.rope, `${p}.k_rope`, DecoderOutputs.newKey(layer)); // [B, KV, T, D]
  const newValue = DecoderOutputs.newValue(layer);
  if (keysOnly) return undefined;

  const q = g.op('Reshape', [qFlat!, g.int64s([0, 0, nh, d])], { name: `${p}.q_heads` }); // [B, T, NH, D]
  const qNormed = rmsNorm(g, weights, q, names.qNorm, d, c.rms_norm_eps);
  const qT = g.op('Transpose', [qNormed], { attrs: { perm: [0, 2, 1, 3] }, name: `${p}.q_t` }); // [B, NH, T, D]
  const qRot = applyRope(g, qT, ctx.rope, `${p}.q_rope`);

  const pastKey = DecoderInputs.pastKey(layer);
  const pastValue = DecoderInputs.pastValue(layer);
  const scale = attr.float(c.query_pre_attn_scalar ** -0.5);
  const qGrouped = g.op('Reshape', [qRot, g.int64s([0, kv, -1, d])], { name: `${p}.q_grouped` }); // [B, KV, G*T, D]
  const scoresPast = g.op('FusedMatMul', [qGrouped, pastKey], {
    domain: 'com.microsoft',
    attrs: { transB: 1, alpha: scale },
    name: `${p}.scores_past`,
  }); // [B, KV, G*T, C]
  const scoresNew = g.op('FusedMatMul', [qGrouped, newKey], {
    domain: 'com.microsoft',
    attrs: { transB: 1, alpha: scale },
    name: `${p}.scores_new`,
  }); // [B, KV, G*T, T]
  const scores = g.op('Concat', [scoresPast, scoresNew], { attrs: { axis: -1 }, name: `${p}.scores` }); // [B, KV, G*T, C+T]
  const perHead = g.op('Reshape', [scores, g.int64s([0, nh, -1, 0])], { name: `${p}.scores_heads` }); // [B, NH, T, C+T]
  const biased = g.op('Add', [perHead, ctx.bias], { name: `${p}.scores_biased` });
  const probs = g.op('Softmax', [biased], { attrs: { axis: -1 }, name: `${p}.probs` }); // [B, NH, T, C+T]
  const probsGrouped = g.op('Reshape', [probs, g.int64s([0, kv, -1, 0])], { name: `${p}.probs_grouped` }); // [B, KV, G*T, C+T]
  const pastLen = g.op('Shape', [pastKey], { attrs: { start: 2, end: 3 }, name: `${p}.past_len` });
  const newLen = g.op('Shape', [newKey], { attrs: { start: 2, end: 3 }, name: `${p}.new_len` });
  const splits = g.op('Concat', [pastLen, newLen], { attrs: { axis: 0 }, name: `${p}.split_sizes` });
  const [probsPast, probsNew] = g.node('Split', [probsGrouped, splits], {
    attrs: { axis: -1 },
    outputs: 2,
    name: `${p}.probs_split`,
  });
  const outPast = g.op('MatMul', [probsPast!, pastValue], { name: `${p}.out_past` }); // [B, KV, G*T, D]
  const outNew = g.op('MatMul', [probsNew!, newValue], { name: `${p}.out_new` }); // [B, KV, G*T, D]
  const out = g.op('Add', [outPast, outNew], { name: `${p}.out` });
  const outHeads = g.op('Reshape', [out, g.int64s([0, nh, -1, d])], { name: `${p}.out_heads` }); // [B, NH, T, D]
  const outT = g.op('Transpose', [outHeads], { attrs: { perm: [0, 2, 1, 3] }, name: `${p}.out_t` }); // [B, T, NH, D]
  const merged = g.op('Reshape', [outT, g.int64s([0, 0, nh * d])], { name: `${p}.out_merged` }); // [B, T, NH*D]
  return ops.linear(g, weights, merged, names.o, h, nh * d); // [B, T, H]
}
