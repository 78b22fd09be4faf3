import type { Gemma3TextConfig } from '@gemma3/config';
import { GraphBuilder } from '@gemma3/onnx';
import { FP32_WEIGHT_OPS, type WeightOps, type WeightSource } from '@gemma3/text-model';
import { Dims, TjsInputs, TjsOutputs } from '../layout.js';

/**
 * `embed_tokens`: input_ids [B, T] -> inputs_embeds [B, T, H], the reference's
 * Gemma3TextScaledWordEmbedding (rows times sqrt(hidden_size), float32). Ids outside the table (the
 * image soft token 262144 >= vocab on released models) are looked up as 0, as the reference does;
 * transformers.js then overwrites those rows with image features.
 */
export function buildEmbedTokensGraph(
  config: Gemma3TextConfig,
  embedTensor: string,
  weights: WeightSource,
  ops: WeightOps = FP32_WEIGHT_OPS,
): GraphBuilder {
  const c = config;
  const g = new GraphBuilder({ name: 'gemma3_embed_tokens', opsets: { '': 21, 'com.microsoft': 1 } });
  const ids = g.input(TjsInputs.inputIds, 'int64', [Dims.batch, Dims.sequence]);
  const zero = g.constant('zero', 'int64', [], [0]);
  const inTable = g.op(
    'And',
    [
      g.op('Less', [ids, g.constant('vocab', 'int64', [], [c.vocab_size])], { name: 'ids_below_vocab' }),
      g.op('GreaterOrEqual', [ids, zero], { name: 'ids_not_negative' }),
    ],
    { name: 'ids_in_table' },
  ); // [B, T]
  const safe = g.op('Where', [inTable, ids, zero], { name: 'ids_safe' }); // [B, T]
  const rows = ops.embedding(g, weights, safe, embedTensor, c.vocab_size, c.hidden_size); // [B, T, H]
  g.op('Mul', [rows, g.scalarFloat(Math.fround(Math.sqrt(c.hidden_size)), 'embed_scale')], {
    output: TjsOutputs.inputsEmbeds,
  }); // [B, T, H]
  g.output(TjsOutputs.inputsEmbeds, 'float32', [Dims.batch, Dims.sequence, c.hidden_size]);
  return g;
}
