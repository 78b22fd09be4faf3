import type { Gemma3Config } from '@gemma3/config';
import { attr, GraphBuilder } from '@gemma3/onnx';
import type { VisionLayerNames, VisionTensorNames } from '../checkpoint/vision-weights.js';
import { fusedAttention, opsAttention } from './vision-attention.js';
import { type VisionGraphOptions, VisionInputs, VisionOutputs } from './vision-io.js';
import { FP32_VISION_WEIGHT_OPS, type VisionWeightOps } from './vision-weight-ops.js';
import { concat, DerivedWeights, transpose, type WeightReader } from './weight-reader.js';

/** Bump when the vision graph changes, so cached builds are rebuilt. */
export const VISION_GRAPH_VERSION = '2';

interface Context {
  g: GraphBuilder;
  weights: DerivedWeights;
  ops: VisionWeightOps;
  hidden: number;
  heads: number;
  eps: number;
  options: VisionGraphOptions;
}

/** LayerNorm over the last axis with weight and bias (SigLIP's nn.LayerNorm). */
function layerNorm(ctx: Context, x: string, p: { weight: string; bias: string }): string {
  const { g, weights, hidden } = ctx;
  const scale = g.initializer(p.weight, 'float32', [hidden], () => weights.readFloat32(p.weight));
  const bias = g.initializer(p.bias, 'float32', [hidden], () => weights.readFloat32(p.bias));
  return g.op('LayerNormalization', [x, scale, bias], {
    attrs: { axis: -1, epsilon: attr.float(ctx.eps), stash_type: 1 },
    name: `${p.weight}.norm`,
  });
}

/** x [..., in] -> [..., out] through the weight op (W [out, in]), plus the float32 bias. */
function linear(
  ctx: Context,
  x: string,
  p: { weight: string; bias: string },
  out: number,
  inFeatures: number,
): string {
  const { g, weights } = ctx;
  const y = ctx.ops.visionLinear(g, weights, x, p.weight, out, inFeatures);
  const b = g.initializer(p.bias, 'float32', [out], () => weights.readFloat32(p.bias));
  return g.op('Add', [y, b], { name: `${p.bias}.add` });
}

/**
 * SigLIP self-attention: q, k, v from one MatMul over the concatenated weights [Hv, 3 Hv], biases,
 * softmax(q k^T * head_dim^-0.5) v over every patch (no mask), then out_proj. x: [N, P, Hv].
 */
function selfAttention(ctx: Context, x: string, l: VisionLayerNames, i: number): string {
  const { g, weights, hidden: h, heads } = ctx;
  const d = h / heads;
  const p = `vision.layers.${i}.attn`;
  // q, k, v weights [Hv, Hv] each, stacked along the output axis: [3 Hv, Hv].
  const wQkv = weights.define(`${p}.qkv.weight`, async () =>
    concat([
      await weights.readFloat32(l.q.weight),
      await weights.readFloat32(l.k.weight),
      await weights.readFloat32(l.v.weight),
    ]),
  );
  const bQkv = g.initializer(`${p}.qkv.bias`, 'float32', [3 * h], async () =>
    concat([
      await weights.readFloat32(l.q.bias),
      await weights.readFloat32(l.k.bias),
      await weights.readFloat32(l.v.bias),
    ]),
  );
  const qkv = ctx.ops.visionLinear(g, weights, x, wQkv, 3 * h, h); // [N, P, 3 Hv]
  const shape = { heads, headDim: d };
  const merged = // [N, P, Hv]
    ctx.options.attention === 'fused'
      ? fusedAttention(g, qkv, bQkv, shape, p)
      : opsAttention(g, qkv, bQkv, shape, p);
  return linear(ctx, merged, l.out, h, h);
}

/**
 * The SigLIP vision tower and the Gemma 3 multimodal projector as one ONNX graph:
 * patch conv (stride = patch) + learned position embeddings, pre-LayerNorm encoder layers
 * (attention, gelu-tanh MLP), post_layernorm (no pooling head); then average pooling of the patch
 * grid to sqrt(M) x sqrt(M), (1 + w) RMSNorm with the vision eps, and the projection to the text width.
 */
export function buildVisionGraph(
  config: Gemma3Config,
  names: VisionTensorNames,
  source: WeightReader,
  options: VisionGraphOptions,
  ops: VisionWeightOps = FP32_VISION_WEIGHT_OPS,
): GraphBuilder {
  const weights = new DerivedWeights(source);
  const v = config.vision_config;
  const h = v.hidden_size;
  const grid = v.image_size / v.patch_size;
  const patches = grid * grid;
  const side = Math.round(Math.sqrt(config.mm_tokens_per_image));
  const kernel = grid / side;
  const textHidden = config.text_config.hidden_size;
  const g = new GraphBuilder({ name: 'gemma3_vision_encoder', opsets: { '': 21, 'com.microsoft': 1 } });
  const ctx: Context = {
    g,
    weights,
    ops,
    hidden: h,
    heads: v.num_attention_heads,
    eps: v.layer_norm_eps,
    options,
  };

  const pixels = g.input(VisionInputs.pixelValues, 'float32', [
    'images',
    v.num_channels,
    v.image_size,
    v.image_size,
  ]);
  const convW = g.initializer(
    names.patchWeight,
    'float32',
    [h, v.num_channels, v.patch_size, v.patch_size],
    () => weights.readFloat32(names.patchWeight),
  );
  const convB = g.initializer(names.patchBias, 'float32', [h], () => weights.readFloat32(names.patchBias));
  const conv = g.op('Conv', [pixels, convW, convB], {
    attrs: { kernel_shape: [v.patch_size, v.patch_size], strides: [v.patch_size, v.patch_size] },
    name: 'vision.patch_embedding',
  }); // [N, Hv, G, G]
  const flat = g.op('Reshape', [conv, g.int64s([0, h, patches])], { name: 'vision.patches_flat' }); // [N, Hv, P]
  const tokens = g.op('Transpose', [flat], { attrs: { perm: [0, 2, 1] }, name: 'vision.patches' }); // [N, P, Hv]
  const position = g.initializer(names.positionEmbedding, 'float32', [patches, h], () =>
    weights.readFloat32(names.positionEmbedding),
  );
  let x = g.op('Add', [tokens, position], { name: 'vision.embeddings' }); // [N, P, Hv]

  names.layers.forEach((l, i) => {
    const attn = selfAttention(ctx, layerNorm(ctx, x, l.layerNorm1), l, i);
    x = g.op('Add', [x, attn], { name: `vision.layers.${i}.attn_residual` });
    const up = linear(ctx, layerNorm(ctx, x, l.layerNorm2), l.fc1, v.intermediate_size, h); // [N, P, I]
    const act = g.op('Gelu', [up], { attrs: { approximate: 'tanh' }, name: `vision.layers.${i}.mlp.gelu` });
    x = g.op('Add', [x, linear(ctx, act, l.fc2, h, v.intermediate_size)], {
      name: `vision.layers.${i}.mlp_residual`,
    });
  });
  g.op('Identity', [layerNorm(ctx, x, names.postLayerNorm)], { output: VisionOutputs.lastHiddenState }); // [N, P, Hv]

  // Projector. Patch p = row * G + col with row = ti * K + ki, col = tj * K + kj: the grid as
  // [N, side, K, side, K, Hv], averaged over the two K axes, is AvgPool2d(K) of the [N, Hv, G, G] image.
  const blocks = g.op(
    'Reshape',
    [VisionOutputs.lastHiddenState, g.int64s([0, side, kernel, side, kernel, h])],
    {
      name: 'projector.blocks',
    },
  ); // [N, side, K, side, K, Hv]
  const pooled = g.op('ReduceMean', [blocks, g.int64s([2, 4])], {
    attrs: { keepdims: 0 },
    name: 'projector.avg_pool',
  }); // [N, side, side, Hv]
  const pooledTokens = g.op('Reshape', [pooled, g.int64s([0, side * side, h])], { name: 'projector.tokens' }); // [N, M, Hv]
  const normScale = g.initializer(`${names.softEmbNorm}.plus_one`, 'float32', [h], async () => {
    const w = await weights.readFloat32(names.softEmbNorm);
    const out = new Float32Array(h);
    for (let i = 0; i < h; i++) out[i] = Math.fround(1 + w[i]!);
    return out;
  });
  const normed = g.op('SimplifiedLayerNormalization', [pooledTokens, normScale], {
    attrs: { axis: -1, epsilon: attr.float(v.layer_norm_eps), stash_type: 1 },
    name: 'projector.mm_soft_emb_norm',
  }); // [N, M, Hv]
  // mm_input_projection_weight is stored [Hv, Ht] (in, out); the weight op takes [out, in].
  const projection = weights.define('projector.input_projection.weight', async () =>
    transpose(await source.readFloat32(names.inputProjection), h, textHidden),
  );
  const projected = ops.projector(g, weights, normed, projection, textHidden, h); // [N, M, Ht]
  g.op('Identity', [projected], { output: VisionOutputs.imageFeatures, name: 'projector.output' });

  g.output(VisionOutputs.lastHiddenState, 'float32', ['images', patches, h]);
  g.output(VisionOutputs.imageFeatures, 'float32', ['images', side * side, textHidden]);
  return g;
}
