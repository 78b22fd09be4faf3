import { FP32_WEIGHT_OPS, type WeightSource } from '@gemma3/text-model';
import { dequantizeBlocks, quantizeBlocks } from './block-quantize.js';
import { QuantizationOptionsError } from './errors/quantization-options-error.js';
import type { QuantizationOptions, QuantizationSpec } from './options.js';
import { createQuantizedWeightOps, type QuantizedWeightOps } from './quantized-weight-ops.js';

/** A WeightSource whose [rows, cols] matrix comes back quantized and dequantized (float32 again). */
function roundTripped(
  weights: WeightSource,
  rows: number,
  cols: number,
  spec: QuantizationSpec | undefined,
): WeightSource {
  if (!spec) return weights;
  return {
    async readFloat32(name) {
      return dequantizeBlocks(quantizeBlocks(await weights.readFloat32(name), rows, cols, spec, name));
    },
  };
}

/**
 * The float32 graph (MatMul, Gather, Gemm) over weights rounded exactly as `createQuantizedWeightOps`
 * would store them: simulated quantization. Its outputs differ from the quantized build's only by
 * the kernels' arithmetic (float32 compute at accuracy level 0), which makes it the reference that
 * checks a quantized build end to end, and a way to study weight rounding alone.
 */
export function createDequantizedWeightOps(options: QuantizationOptions): QuantizedWeightOps {
  const quantized = createQuantizedWeightOps(options);
  const { resolved } = quantized;
  if (resolved.linearKernel !== 'MatMulNBits') {
    throw new QuantizationOptionsError('linearKernel', 'only MatMulNBits builds are simulated');
  }
  // The float32 graph shares one table between a tied embedding and LM head: it cannot round it twice.
  if (JSON.stringify(resolved.embedding) !== JSON.stringify(resolved.lmHead)) {
    throw new QuantizationOptionsError('modules', 'simulated builds need the same embedding and lmHead spec');
  }
  return {
    cacheKey: `dequantized:${quantized.cacheKey}`,
    resolved,
    build: {},
    linear: (g, weights, x, name, outF, inF) =>
      FP32_WEIGHT_OPS.linear(g, roundTripped(weights, outF, inF, resolved.linear), x, name, outF, inF),
    embedding: (g, weights, ids, name, vocab, hidden) =>
      FP32_WEIGHT_OPS.embedding(
        g,
        roundTripped(weights, vocab, hidden, resolved.embedding),
        ids,
        name,
        vocab,
        hidden,
      ),
    lmHead: (g, weights, x, name, vocab, hidden) =>
      FP32_WEIGHT_OPS.lmHead(
        g,
        roundTripped(weights, vocab, hidden, resolved.lmHead),
        x,
        name,
        vocab,
        hidden,
      ),
  };
}
