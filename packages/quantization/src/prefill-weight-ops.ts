import { createQuantizedWeightOps, type QuantizedWeightOps } from './quantized-weight-ops.js';

/**
 * WeightOps of the prefill graph that runs beside a quantized decode graph (`prefillWeightOps` of
 * @gemma3/text-model's load options): every linear layer as int8 `DynamicQuantizeMatMul` (per output
 * channel), which prefills several times faster on CPU than `MatMulNBits` at 4 bits, while decoding
 * (one token, bound by reading the weights) stays on the smaller 4-bit graph. The embedding is built
 * as the decode graph builds it, so both graphs see the same input vectors; when the decode graph was
 * built with `embeddingTable: 'stored-input'`, the prefill graph reads the same table from its inputs
 * (held once, fed to both sessions). The prefill graph has no LM head. `undefined` when a second graph
 * gains nothing: float32 layers, or int8 layers (DynamicQuantizeMatMul, MatMulInteger) already.
 */
export function createPrefillWeightOps(decode: QuantizedWeightOps): QuantizedWeightOps | undefined {
  const { linear, linearKernel, embedding } = decode.resolved;
  if (linear === undefined || linearKernel !== 'MatMulNBits') return undefined;
  const shared = decode.build.embeddingTable === 'stored-input';
  const ops = createQuantizedWeightOps(
    {
      dtype: 'q8',
      linearKernel: 'DynamicQuantizeMatMul',
      modules: { embedding: embedding ?? 'fp32', lmHead: 'fp32' },
    },
    // Fed the decode graph's table when it stores one for feeding, else a table of its own.
    { embeddingTable: shared && embedding !== undefined ? 'input' : 'initializer' },
  );
  return { ...ops, cacheKey: `prefill;${ops.cacheKey}` };
}
