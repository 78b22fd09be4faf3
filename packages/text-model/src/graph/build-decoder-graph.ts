import type { Gemma3TextConfig } from '@gemma3/config';
import { GraphBuilder } from '@gemma3/onnx';
import type { TextTensorNames } from '../checkpoint/text-weights.js';
import { attention } from './attention.js';
import { type DecoderGraphOptions, DecoderInputs, DecoderOutputs } from './decoder-io.js';
import { packedLinear, withPackedTensors } from './packed-linear.js';
import { addRmsNorm, rmsNorm } from './rms-norm.js';
import { inverseFrequencies, ropeTables } from './rope.js';
import { FP32_WEIGHT_OPS, type WeightOps } from './weight-ops.js';
import type { WeightSource } from './weight-source.js';

/** Bump when the decoder graph changes, so cached builds are rebuilt. */
export const DECODER_GRAPH_VERSION = '5';

/**
 * The Gemma 3 text decoder as one ONNX graph (see decoder-io.ts for its inputs and outputs):
 * scaled embedding, layers of sandwich-normed attention and GeGLU MLP, final norm, then either the
 * tied (or separate) LM head on the requested positions or those positions' hidden states.
 */
export function buildDecoderGraph(
  config: Gemma3TextConfig,
  names: TextTensorNames,
  checkpoint: WeightSource,
  options: DecoderGraphOptions,
  ops: WeightOps = FP32_WEIGHT_OPS,
): GraphBuilder {
  const c = config;
  const weights = withPackedTensors(checkpoint);
  const h = c.hidden_size;
  const g = new GraphBuilder({ name: 'gemma3_text_decoder', opsets: { '': 21, 'com.microsoft': 1 } });

  const ids = g.input(DecoderInputs.inputIds, 'int64', ['batch', 'seq']);
  const positions = g.input(DecoderInputs.positionIds, 'int64', ['batch', 'seq']);
  const kinds = new Set(c.layers.map((l) => l.layer_type));
  const biasSliding = kinds.has('sliding_attention')
    ? g.input(DecoderInputs.biasSliding, 'float32', ['batch', 1, 'seq', 'sliding_keys'])
    : undefined;
  const biasFull = kinds.has('full_attention')
    ? g.input(DecoderInputs.biasFull, 'float32', ['batch', 1, 'seq', 'full_keys'])
    : undefined;
  const cacheOnly = options.output === 'cache';
  const outputPositions = cacheOnly ? '' : g.input(DecoderInputs.outputPositions, 'int64', ['outputs']);
  c.layers.forEach((layer, i) => {
    const slots = layer.layer_type === 'sliding_attention' ? 'sliding_cache' : 'full_cache';
    g.input(DecoderInputs.pastKey(i), 'float32', ['batch', c.num_key_value_heads, slots, c.head_dim]);
    g.input(DecoderInputs.pastValue(i), 'float32', ['batch', c.num_key_value_heads, slots, c.head_dim]);
  });

  const gathered = ops.embedding(g, weights, ids, names.embed, c.vocab_size, h); // [B, T, H]
  // sqrt(hidden_size) as a float32 scalar (exact in float32 compute, as the reference in fp32).
  let x = g.op('Mul', [gathered, g.scalarFloat(Math.fround(Math.sqrt(h)), 'embed_scale')], {
    name: 'embed.scale',
  });
  if (options.embedsOverride) {
    const override = g.input(DecoderInputs.embedsOverride, 'float32', ['batch', 'seq', h]);
    const mask = g.input(DecoderInputs.embedsOverrideMask, 'bool', ['batch', 'seq', 1]);
    x = g.op('Where', [mask, override, x], { name: 'embed.override' });
  }

  const ropeByKind = {
    sliding_attention: undefined as ReturnType<typeof ropeTables> | undefined,
    full_attention: undefined as ReturnType<typeof ropeTables> | undefined,
  };
  const eps = c.rms_norm_eps;
  let branch: string | undefined; // the last block's output, not yet added to the residual stream x
  for (const [i, layer] of c.layers.entries()) {
    const kind = layer.layer_type;
    ropeByKind[kind] ??= ropeTables(
      g,
      positions,
      inverseFrequencies(c.head_dim, layer.rope_theta, layer.rope_scaling_factor),
      `rope.${kind}`,
    );
    const l = names.layers[i]!;
    // The previous layer's MLP branch is added to the residual stream together with this input norm.
    const input =
      branch === undefined
        ? { normed: rmsNorm(g, weights, x, l.inputNorm, h, eps), sum: x }
        : addRmsNorm(g, weights, x, branch, l.inputNorm, h, eps);
    x = input.sum;
    const bias = kind === 'sliding_attention' ? biasSliding! : biasFull!;
    const ctx = { g, weights, ops, config: c, bias, rope: ropeByKind[kind]! };
    if (cacheOnly && i === c.layers.length - 1) {
      attention(ctx, input.normed, i, l, true); // the prefill graph needs only the last layer's keys/values
      break;
    }
    const attnOut = attention(ctx, input.normed, i, l);
    const ff = addRmsNorm(
      g,
      weights,
      x,
      rmsNorm(g, weights, attnOut, l.postAttentionNorm, h, eps),
      l.preFeedforwardNorm,
      h,
      eps,
    );
    x = ff.sum;
    // One gate/up projection when decoding (one token: one wide kernel call instead of two); the prefill
    // graph keeps them apart, as splitting a [T, 2I] result would copy it.
    const [gate, up] = cacheOnly
      ? [
          ops.linear(g, weights, ff.normed, l.gate, c.intermediate_size, h),
          ops.linear(g, weights, ff.normed, l.up, c.intermediate_size, h),
        ]
      : packedLinear(
          g,
          ops,
          weights,
          ff.normed,
          [l.gate, l.up],
          [c.intermediate_size, c.intermediate_size],
          h,
        ); // [B, T, I] each
    const act = g.op('Gelu', [gate!], { attrs: { approximate: 'tanh' }, name: `layers.${i}.mlp.gelu` });
    const down = ops.linear(
      g,
      weights,
      g.op('Mul', [act, up!], { name: `layers.${i}.mlp.mul` }),
      l.down,
      h,
      c.intermediate_size,
    );
    branch = rmsNorm(g, weights, down, l.postFeedforwardNorm, h, eps);
  }

  if (options.output !== 'cache') {
    const final = addRmsNorm(g, weights, x, branch!, names.norm, h, eps).normed; // [B, T, H]
    finalOutputs(g, weights, ops, c, names, final, outputPositions, options.output);
  }
  c.layers.forEach((_, i) => {
    g.output(DecoderOutputs.newKey(i), 'float32', ['batch', c.num_key_value_heads, 'seq', c.head_dim]);
    g.output(DecoderOutputs.newValue(i), 'float32', ['batch', c.num_key_value_heads, 'seq', c.head_dim]);
  });
  return g;
}

/** The requested positions of the final-normed states, then the LM head (or those positions' states). */
function finalOutputs(
  g: GraphBuilder,
  weights: WeightSource,
  ops: WeightOps,
  c: Gemma3TextConfig,
  names: TextTensorNames,
  final: string,
  outputPositions: string,
  output: 'logits' | 'hidden',
): void {
  const h = c.hidden_size;
  const picked = g.op('Gather', [final, outputPositions], { attrs: { axis: 1 }, name: 'output.gather' }); // [B, K, H]
  if (output === 'hidden') {
    g.op('Identity', [picked], { output: DecoderOutputs.hiddenStates }); // [B, K, H]
    g.output(DecoderOutputs.hiddenStates, 'float32', ['batch', 'outputs', h]);
  } else {
    const flat = g.op('Reshape', [picked, g.int64s([-1, h])], { name: 'lm_head.flatten' }); // [B*K, H]
    const head = names.lmHead ?? names.embed; // tied: the embedding table itself
    const flatLogits = ops.lmHead(g, weights, flat, head, c.vocab_size, h); // [B*K, V]
    const shape = g.op(
      'Concat',
      [g.op('Shape', [picked], { attrs: { start: 0, end: 2 } }), g.int64s([c.vocab_size])],
      {
        attrs: { axis: 0 },
        name: 'lm_head.shape',
      },
    );
    g.op('Reshape', [flatLogits, shape], { output: DecoderOutputs.logits }); // [B, K, V]
    g.output(DecoderOutputs.logits, 'float32', ['batch', 'outputs', c.vocab_size]);
  }
}
