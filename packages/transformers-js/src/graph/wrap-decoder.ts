import type { Gemma3TextConfig } from '@gemma3/config';
import type { GraphBuilder } from '@gemma3/onnx';
import { DecoderInputs, DecoderOutputs } from '@gemma3/text-model';
import { Dims, TjsInputs, TjsOutputs } from '../layout.js';

/** ONNX TensorProto.BOOL, for `Cast`. */
const BOOL = 9;
/** The additive bias of a masked key (float32 lowest), as @gemma3/text-model's KV cache uses. */
const MASKED = -3.4028234663852886e38;

export type DecoderTokens = 'input_ids' | 'inputs_embeds';

/**
 * Gives a graph built by @gemma3/text-model's `buildDecoderGraph` the inputs and outputs
 * transformers.js feeds and fetches, without touching the layers:
 *
 * - `attention_mask` [B, S] and the past length P (from `past_key_values.0.key`) become the two
 *   additive biases [B, 1, T, S] our attention reads: key slot j is visible to query t (slot P + t)
 *   iff the mask has a 1 at j and j <= P + t; on sliding layers also (P + t) - j < sliding_window.
 *   With left padding only, slot distances equal position distances, so this is the reference's rule
 *   (and our KV cache's) on the real tokens.
 * - `position_ids` [B, T] are 1-based as transformers.js computes them for Gemma 3; minus 1 they are
 *   our RoPE positions (padding: 1 -> 0, as the reference fills them).
 * - `num_logits_to_keep` [] (0 = all T positions, k = the last k) becomes `output_positions`.
 * - `past_key_values.{i}.key/value` [B, KV, P, D] feed our `past_key.{i}` / `past_value.{i}`, and
 *   `present.{i}.key/value` = Concat(past, new rows) on the sequence axis replace `new_key/new_value`.
 * - `tokens: 'inputs_embeds'` (the multimodal decoder, built with `embedsOverride`): `inputs_embeds`
 *   [B, T, H] (already scaled) replaces the token embedding everywhere; the graph's own embedding then
 *   gathers row 0 for every position, unused (the tied table stays in the file for the LM head anyway).
 */
export function wrapDecoderForTransformersJs(
  g: GraphBuilder,
  config: Gemma3TextConfig,
  tokens: DecoderTokens,
): GraphBuilder {
  const c = config;
  const kv = c.num_key_value_heads;
  const d = c.head_dim;
  const squeeze0 = (x: string, name: string) => g.op('Squeeze', [x, g.int64s([0])], { name }); // [1] -> []
  const zero = g.constant('tjs.zero', 'int64', [], [0]);
  const one = g.constant('tjs.one', 'int64', [], [1]);

  // Token input.
  let tokensValue: string;
  if (tokens === 'inputs_embeds') {
    tokensValue = g.input(TjsInputs.inputsEmbeds, 'float32', [Dims.batch, Dims.sequence, c.hidden_size]);
    for (const name of [
      DecoderInputs.inputIds,
      DecoderInputs.embedsOverride,
      DecoderInputs.embedsOverrideMask,
    ]) {
      g.removeInput(name);
    }
    const batchSeq = g.op('Shape', [tokensValue], { attrs: { start: 0, end: 2 }, name: 'tjs.batch_seq' }); // [2]
    const ids = g.op('Expand', [g.constant('tjs.zero_ids', 'int64', [1, 1], [0]), batchSeq], {
      output: DecoderInputs.inputIds,
    }); // [B, T] zeros: the embedding gathers row 0, replaced below
    g.op('Identity', [tokensValue], { output: DecoderInputs.embedsOverride }); // [B, T, H]
    const everywhere = g.op('Equal', [ids, ids], { name: 'tjs.all_true' }); // [B, T] true
    g.op('Unsqueeze', [everywhere, g.int64s([2])], { output: DecoderInputs.embedsOverrideMask }); // [B, T, 1]
  } else {
    tokensValue = DecoderInputs.inputIds; // already `input_ids` [B, T]
  }
  const t = squeeze0(
    g.op('Shape', [tokensValue], { attrs: { start: 1, end: 2 }, name: 'tjs.t_1d' }),
    'tjs.t',
  );

  // Past and present.
  const pastKey0 = TjsInputs.pastKey(0);
  c.layers.forEach((_, i) => {
    const pairs = [
      [DecoderInputs.pastKey(i), TjsInputs.pastKey(i), DecoderOutputs.newKey(i), TjsOutputs.presentKey(i)],
      [
        DecoderInputs.pastValue(i),
        TjsInputs.pastValue(i),
        DecoderOutputs.newValue(i),
        TjsOutputs.presentValue(i),
      ],
    ] as const;
    for (const [ours, theirs, fresh, present] of pairs) {
      g.removeInput(ours);
      g.input(theirs, 'float32', [Dims.batch, kv, Dims.past, d]);
      g.op('Identity', [theirs], { output: ours }); // [B, KV, P, D]
      g.removeOutput(fresh);
      g.op('Concat', [theirs, fresh], { attrs: { axis: 2 }, output: present }); // [B, KV, P + T, D]
      g.output(present, 'float32', [Dims.batch, kv, Dims.total, d]);
    }
  });
  const p = squeeze0(g.op('Shape', [pastKey0], { attrs: { start: 2, end: 3 }, name: 'tjs.p_1d' }), 'tjs.p');
  const s = g.op('Add', [p, t], { name: 'tjs.s' });

  // Attention biases from the 2-D mask.
  const mask = g.input(TjsInputs.attentionMask, 'int64', [Dims.batch, Dims.total]);
  const keySlots = g.op('Range', [zero, s, one], { name: 'tjs.key_slots' }); // [S]
  const querySlots = g.op('Range', [p, s, one], { name: 'tjs.query_slots' }); // [T]
  const distance = g.op(
    'Sub',
    [
      g.op('Unsqueeze', [querySlots, g.int64s([1])], { name: 'tjs.query_col' }), // [T, 1]
      g.op('Unsqueeze', [keySlots, g.int64s([0])], { name: 'tjs.key_row' }), // [1, S]
    ],
    { name: 'tjs.distance' },
  ); // [T, S] query slot - key slot
  const causal = g.op('GreaterOrEqual', [distance, zero], { name: 'tjs.causal' }); // [T, S]
  const real = g.op(
    'Unsqueeze',
    [g.op('Cast', [mask], { attrs: { to: BOOL }, name: 'tjs.mask_bool' }), g.int64s([1, 2])],
    { name: 'tjs.mask_4d' },
  ); // [B, 1, 1, S]
  const visible = g.op('And', [causal, real], { name: 'tjs.visible_full' }); // [B, 1, T, S]
  const open = g.scalarFloat(0, 'tjs.open');
  const masked = g.scalarFloat(MASKED, 'tjs.masked');
  const kinds = new Set(c.layers.map((l) => l.layer_type));
  if (kinds.has('full_attention')) {
    g.removeInput(DecoderInputs.biasFull);
    g.op('Where', [visible, open, masked], { output: DecoderInputs.biasFull }); // [B, 1, T, S]
  }
  if (kinds.has('sliding_attention')) {
    g.removeInput(DecoderInputs.biasSliding);
    const inWindow = g.op('Less', [distance, g.constant('tjs.window', 'int64', [], [c.sliding_window])], {
      name: 'tjs.in_window',
    }); // [T, S]
    const visibleSliding = g.op('And', [visible, inWindow], { name: 'tjs.visible_sliding' }); // [B, 1, T, S]
    g.op('Where', [visibleSliding, open, masked], { output: DecoderInputs.biasSliding }); // [B, 1, T, S]
  }

  // 1-based positions -> ours.
  g.renameValue(DecoderInputs.positionIds, 'tjs.rope_position_ids');
  g.removeInput('tjs.rope_position_ids');
  const positions = g.input(TjsInputs.positionIds, 'int64', [Dims.batch, Dims.sequence]);
  g.op('Sub', [positions, one], { output: 'tjs.rope_position_ids' }); // [B, T]

  // Which positions get logits.
  g.removeInput(DecoderInputs.outputPositions);
  const keep = g.input(TjsInputs.numLogitsToKeep, 'int64', []);
  const fromEnd = g.op('Max', [g.op('Sub', [t, keep], { name: 'tjs.t_minus_keep' }), zero], {
    name: 'tjs.first_kept',
  });
  const first = g.op('Where', [g.op('Equal', [keep, zero], { name: 'tjs.keep_all' }), zero, fromEnd], {
    name: 'tjs.first_output',
  });
  g.op('Range', [first, t, one], { output: DecoderInputs.outputPositions }); // [K]
  return g;
}
