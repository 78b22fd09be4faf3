/**
 * An experiment of the attention bench (attention.ts), not a graph of the package: both attention
 * products of a SigLIP layer in int8 on MatMulInteger, composed of onnxruntime ops. Measured slower than
 * com.microsoft.MultiHeadAttention's float32 kernel (tools/bench/README-multimodal.md): every pass
 * over the [N, heads, P, P] scores (the int32 product, its scaling, the softmax, the uint8 probabilities)
 * goes through memory, where MultiHeadAttention tiles them in cache.
 */

import {
  type AttentionShape,
  mergeHeads,
  splitHeads,
} from '../../../packages/multimodal-model/src/graph/vision-attention.js';
import type { GraphBuilder } from '../../../packages/onnx/src/index.js';

/** How the int8 attention is put together (benchmarked choices; see `int8Attention`). */
export interface Int8AttentionOptions {
  /** Heads per chain: the score tensor of one chain is [N, group, P, P] (default: all heads). */
  headGroup?: number;
  /** Scores from int32: `mul` (Cast, then row and column scales) or `dequantize` (one blocked DequantizeLinear, k per head). */
  dequant?: 'mul' | 'dequantize';
  /** Probabilities to uint8: `quantize` (one blocked QuantizeLinear) or `ops` (Div, Round, Cast). */
  probs?: 'quantize' | 'ops';
}

const INT8 = 3;
const UINT8 = 2;
const FLOAT = 1;

/** max |x| / 127 over `axis` (kept), floored so an all-zero slice divides safely. */
function absMaxScale(g: GraphBuilder, x: string, axis: number, p: string): string {
  const absMax = g.op('ReduceMax', [g.op('Abs', [x], { name: `${p}.abs` }), g.int64s([axis])], {
    attrs: { keepdims: 1 },
    name: `${p}.abs_max`,
  });
  const raw = g.op('Mul', [absMax, g.scalarFloat(1 / 127)], { name: `${p}.scale_raw` });
  return g.op('Max', [raw, g.scalarFloat(1e-30)], { name: `${p}.scale` });
}

/** round(x / scale) as int8 (|x / scale| <= 127 by construction). */
function toInt8(g: GraphBuilder, x: string, scale: string, p: string): string {
  const rounded = g.op('Round', [g.op('Div', [x, scale], { name: `${p}.scaled` })], { name: `${p}.round` });
  return g.op('Cast', [rounded], { attrs: { to: INT8 }, name: `${p}.to_int8` });
}

/** round(x / scale) + 128 as uint8: symmetric int8 stored around 128 for MatMulInteger's u8 x s8 kernel. */
function toShiftedUint8(g: GraphBuilder, x: string, scale: string, p: string): string {
  const rounded = g.op('Round', [g.op('Div', [x, scale], { name: `${p}.scaled` })], { name: `${p}.round` });
  const shifted = g.op('Add', [rounded, g.scalarFloat(128)], { name: `${p}.shift` });
  return g.op('Cast', [shifted], { attrs: { to: UINT8 }, name: `${p}.to_uint8` });
}

/** The scalar uint8 128 (zero point of the shifted q), defined once per graph. */
function zeroPoint128(g: GraphBuilder): string {
  const name = 'int8_attention.zero_point';
  if (!g.has(name)) g.initializer(name, 'uint8', [], new Uint8Array([128]));
  return name;
}

/** One chain of heads: q, k, v [N, nh, P, D] -> [N, nh, P, D]. */
function int8Chain(
  g: GraphBuilder,
  q: string,
  k: string,
  v: string,
  s: AttentionShape,
  o: Required<Int8AttentionOptions>,
  p: string,
): string {
  // q per row (token, head), int8 stored as uint8 around 128.
  const qScale = absMaxScale(g, q, -1, `${p}.q`); // [N, nh, P, 1]
  const qU8 = toShiftedUint8(g, q, qScale, `${p}.q`);
  const rowScale = g.op('Mul', [qScale, g.scalarFloat(s.headDim ** -0.5)], { name: `${p}.row_scale` }); // [N, nh, P, 1]
  let scores: string; // [N, nh, P, P] float
  if (o.dequant === 'dequantize') {
    // k per head: its scale joins q's row scale, so one blocked DequantizeLinear (block = the whole row) scales each row.
    const kScale = absMaxScale(
      g,
      g.op('Reshape', [k, g.int64s([0, 0, -1])], { name: `${p}.k_flat` }),
      -1,
      `${p}.k`,
    ); // [N, nh, 1]
    const kI8 = toInt8(
      g,
      k,
      g.op('Unsqueeze', [kScale, g.int64s([-1])], { name: `${p}.k_scale4` }),
      `${p}.k`,
    );
    const kT = g.op('Transpose', [kI8], { attrs: { perm: [0, 1, 3, 2] }, name: `${p}.k_t` }); // [N, nh, D, P]
    const s32 = g.op('MatMulInteger', [qU8, kT, zeroPoint128(g)], { name: `${p}.scores_int` }); // [N, nh, P, P] int32
    const scale = g.op(
      'Mul',
      [rowScale, g.op('Unsqueeze', [kScale, g.int64s([-1])], { name: `${p}.k_scale_b` })],
      {
        name: `${p}.scores_scale`,
      },
    ); // [N, nh, P, 1]
    scores = g.op('DequantizeLinear', [s32, scale], {
      attrs: { axis: -1, block_size: 1 << 30 },
      name: `${p}.scores`,
    });
  } else {
    const kScale = absMaxScale(g, k, -1, `${p}.k`); // [N, nh, P, 1]
    const kI8 = toInt8(g, k, kScale, `${p}.k`);
    const kT = g.op('Transpose', [kI8], { attrs: { perm: [0, 1, 3, 2] }, name: `${p}.k_t` }); // [N, nh, D, P]
    const s32 = g.op('MatMulInteger', [qU8, kT, zeroPoint128(g)], { name: `${p}.scores_int` }); // [N, nh, P, P] int32
    const colScale = g.op('Transpose', [kScale], { attrs: { perm: [0, 1, 3, 2] }, name: `${p}.col_scale` }); // [N, nh, 1, P]
    const asFloat = g.op('Cast', [s32], { attrs: { to: FLOAT }, name: `${p}.scores_float` });
    scores = g.op('Mul', [g.op('Mul', [asFloat, rowScale], { name: `${p}.scores_rows` }), colScale], {
      name: `${p}.scores`,
    });
  }
  const probs = g.op('Softmax', [scores], { attrs: { axis: -1 }, name: `${p}.probs` }); // [N, nh, P, P]
  // probabilities per row to uint8 (zero point 0): scale = row max / 255.
  const pMax = g.op('ReduceMax', [probs, g.int64s([-1])], { attrs: { keepdims: 1 }, name: `${p}.p_max` }); // [N, nh, P, 1]
  const pScale = g.op('Mul', [pMax, g.scalarFloat(1 / 255)], { name: `${p}.p_scale` });
  const pU8 =
    o.probs === 'quantize'
      ? g.op('QuantizeLinear', [probs, pScale], {
          attrs: { axis: -1, block_size: 1 << 30 },
          name: `${p}.p_u8`,
        })
      : g.op(
          'Cast',
          [
            g.op('Round', [g.op('Div', [probs, pScale], { name: `${p}.p_scaled` })], {
              name: `${p}.p_round`,
            }),
          ],
          {
            attrs: { to: UINT8 },
            name: `${p}.p_u8`,
          },
        );
  // v per column (head, d) over the tokens.
  const vScale = absMaxScale(g, v, -2, `${p}.v`); // [N, nh, 1, D]
  const vI8 = toInt8(g, v, vScale, `${p}.v`);
  const o32 = g.op('MatMulInteger', [pU8, vI8], { name: `${p}.out_int` }); // [N, nh, P, D] int32
  const oFloat = g.op('Cast', [o32], { attrs: { to: FLOAT }, name: `${p}.out_float` });
  return g.op('Mul', [g.op('Mul', [oFloat, pScale], { name: `${p}.out_rows` }), vScale], {
    name: `${p}.out`,
  });
}

/**
 * Both attention products in int8 on MatMulInteger's u8 x s8 kernel (VNNI): q and k quantized per row
 * (symmetric), the softmax probabilities per row to uint8 (scale = row max / 255), v per column; the
 * scales are applied to the int32 results, the softmax runs in float32.
 */
export function int8Attention(
  g: GraphBuilder,
  qkv: string,
  bias: string,
  s: AttentionShape,
  p: string,
  options: Int8AttentionOptions = {},
): string {
  const o: Required<Int8AttentionOptions> = {
    headGroup: options.headGroup ?? s.heads,
    dequant: options.dequant ?? 'mul',
    probs: options.probs ?? 'quantize',
  };
  const biased = g.op('Add', [qkv, bias], { name: `${p}.qkv_bias` });
  const [q, k, v] = splitHeads(g, biased, s, p);
  const groups = Math.ceil(s.heads / o.headGroup);
  if (groups === 1) return mergeHeads(g, int8Chain(g, q, k, v, s, o, p), s, p);
  const sizes = g.int64s(
    Array.from({ length: groups }, (_, i) => Math.min(o.headGroup, s.heads - i * o.headGroup)),
  );
  const parts = (x: string, name: string) =>
    g.node('Split', [x, sizes], { attrs: { axis: 1 }, outputs: groups, name: `${p}.${name}_groups` });
  const [qs, ks, vs] = [parts(q, 'q'), parts(k, 'k'), parts(v, 'v')];
  const outs = qs.map((_, i) => int8Chain(g, qs[i]!, ks[i]!, vs[i]!, s, o, `${p}.g${i}`));
  return mergeHeads(g, g.op('Concat', outs, { attrs: { axis: 1 }, name: `${p}.groups` }), s, p); // [N, NH, P, D]
}
