import { FEEDS_FROM_DATA_KEY, type GraphBuilder } from '@gemma3/onnx';
import { FP32_WEIGHT_OPS, type WeightOps, type WeightSource } from '@gemma3/text-model';
import {
  type BlockQuantized,
  type ChannelQuantized,
  gatherZeroPoints,
  zeroPointBytesPerRow,
} from './block-quantize.js';
import {
  type LinearKernel,
  type QuantizationOptions,
  type QuantizationSpec,
  type ResolvedQuantization,
  resolveQuantization,
} from './options.js';
import { quantizeTensorBlocks, quantizeTensorChannels } from './parallel/parallel-quantize.js';

/** WeightOps plus the string that identifies the build in the model cache. */
export interface QuantizedWeightOps extends WeightOps {
  readonly cacheKey: string;
  readonly resolved: ResolvedQuantization;
  readonly build: QuantizedBuildOptions;
}

function specTag(spec: QuantizationSpec): string {
  return `q${spec.bits}b${spec.blockSize}${spec.symmetric ? 's' : 'a'}`;
}

/**
 * Quantizes tensors while the model is saved. The initializers of one tensor (data, scales, zero
 * points) are produced one after the other, so only the most recent tensor's quantized form is kept:
 * each tensor is read, quantized (on worker threads: `quantizeTensorBlocks`) and dropped; a later miss
 * (the tied table used again after other tensors) reads and quantizes it again rather than holding it.
 */
class StreamingQuantizer {
  private last: { key: string; value: Promise<BlockQuantized> } | undefined;

  get(
    weights: WeightSource,
    tensorName: string,
    rows: number,
    cols: number,
    spec: QuantizationSpec,
  ): Promise<BlockQuantized> {
    const key = `${tensorName}|${specTag(spec)}`;
    if (this.last?.key !== key) {
      this.last = { key, value: quantizeTensorBlocks(weights, tensorName, rows, cols, spec) };
    }
    return this.last.value;
  }
}

/** StreamingQuantizer's per-channel int8 counterpart (DynamicQuantizeMatMul). */
class StreamingChannelQuantizer {
  private last: { key: string; value: Promise<ChannelQuantized> } | undefined;

  get(weights: WeightSource, tensorName: string, rows: number, cols: number): Promise<ChannelQuantized> {
    if (this.last?.key !== tensorName) {
      this.last = { key: tensorName, value: quantizeTensorChannels(weights, tensorName, rows, cols) };
    }
    return this.last.value;
  }
}

/** The int8 per-output-channel weights of `tensorName` [N, K], transposed [K, N], and their scales [N] (defined once). */
function channelInitializers(
  g: GraphBuilder,
  q: StreamingChannelQuantizer,
  weights: WeightSource,
  tensorName: string,
  outFeatures: number,
  inFeatures: number,
): { data: string; scales: string } {
  const data = `${tensorName}.int8_channels`;
  const scales = `${data}.scales`;
  if (!g.has(data)) {
    const quantized = () => q.get(weights, tensorName, outFeatures, inFeatures);
    g.initializer(data, 'int8', [inFeatures, outFeatures], async () => (await quantized()).transposed);
    g.initializer(scales, 'float32', [outFeatures], async () => (await quantized()).scales);
  }
  return { data, scales };
}

/** x [..., K] -> [..., N] through int8 weights [K, N] with per-column scales; activations uint8 per tensor. */
function dynamicQuantizeMatMul(
  g: GraphBuilder,
  q: StreamingChannelQuantizer,
  weights: WeightSource,
  x: string,
  tensorName: string,
  outFeatures: number,
  inFeatures: number,
): string {
  const { data, scales } = channelInitializers(g, q, weights, tensorName, outFeatures, inFeatures);
  return g.op('DynamicQuantizeMatMul', [x, data, scales], {
    domain: 'com.microsoft',
    name: `${tensorName}.dynamic_quantize_matmul`,
  });
}

/**
 * x [..., K] -> [..., N] through int8 weights [K, N] with per-column scales, the activations quantized
 * to int8 per row (symmetric: scale = max |x| / 127, stored as uint8 around 128 for MatMulInteger's
 * u8 x s8 kernel), so each row's result is its own: the same alone, in a batch or in any chunk.
 * Accumulation is exact (int32); the scales are applied in float after it. The rows are quantized by
 * one QuantizeLinear with a block of K (one scale per row): round(x / scale) + 128, saturated, as the
 * Div -> Round -> Add -> Cast it replaced computed, bit for bit (a 128-token prompt's 52 MLP linears
 * 118.6 -> 96.1 ms); its zero points must have the scales' shape, one Expand per `rows` group (the
 * decoder's layers share their [B, T] rows; the LM head has its own).
 */
function rowwiseInt8MatMul(
  g: GraphBuilder,
  q: StreamingChannelQuantizer,
  weights: WeightSource,
  x: string,
  tensorName: string,
  outFeatures: number,
  inFeatures: number,
  name: string,
  rows: 'layers' | 'lm_head',
): string {
  const { data, scales } = channelInitializers(g, q, weights, tensorName, outFeatures, inFeatures);
  const zeroPoint = 'rowwise_int8.zero_point';
  if (!g.has(zeroPoint)) g.initializer(zeroPoint, 'uint8', [], new Uint8Array([128]));
  const absMax = g.op('ReduceMax', [g.op('Abs', [x], { name: `${name}.abs` }), g.int64s([-1])], {
    name: `${name}.abs_max`,
    attrs: { keepdims: 1 },
  }); // [..., 1]
  const scale = g.op(
    'Max',
    [g.op('Mul', [absMax, g.scalarFloat(1 / 127)], { name: `${name}.scale_raw` }), g.scalarFloat(1e-30)],
    {
      name: `${name}.scale`,
    },
  );
  const rowZeroPoints = `rowwise_int8.zero_points.${rows}`; // [..., 1] of 128
  if (!g.has(rowZeroPoints)) {
    g.op('Expand', [zeroPoint, g.op('Shape', [scale], { name: `${rowZeroPoints}.shape` })], {
      name: rowZeroPoints,
      output: rowZeroPoints,
    });
  }
  const quantized = g.op('QuantizeLinear', [x, scale, rowZeroPoints], {
    name: `${name}.quantize`,
    attrs: { axis: -1, block_size: inFeatures },
  }); // [..., K] uint8
  const accumulated = g.op('MatMulInteger', [quantized, data, zeroPoint], { name: `${name}.matmul_integer` });
  const asFloat = g.op('Cast', [accumulated], { name: `${name}.to_float`, attrs: { to: 1 } });
  return g.op('Mul', [g.op('Mul', [asFloat, scale], { name: `${name}.row_scale` }), scales], {
    name: `${name}.column_scale`,
  });
}

interface QuantizedInitializers {
  data: string;
  scales: string;
  zeroPoints: string | undefined;
  blocksPerRow: number;
}

/** The MatMulNBits initializers of `tensorName` [rows, cols] (shared when already defined). */
function quantizedInitializers(
  g: GraphBuilder,
  q: StreamingQuantizer,
  weights: WeightSource,
  tensorName: string,
  rows: number,
  cols: number,
  spec: QuantizationSpec,
): QuantizedInitializers {
  const base = `${tensorName}.${specTag(spec)}`;
  const blocksPerRow = Math.ceil(cols / spec.blockSize);
  const blob = (spec.blockSize * spec.bits) / 8;
  const names: QuantizedInitializers = {
    data: base,
    scales: `${base}.scales`,
    zeroPoints: spec.symmetric ? undefined : `${base}.zero_points`,
    blocksPerRow,
  };
  if (g.has(base)) return names;
  const quantized = () => q.get(weights, tensorName, rows, cols, spec);
  g.initializer(names.data, 'uint8', [rows, blocksPerRow, blob], async () => (await quantized()).data);
  g.initializer(names.scales, 'float32', [rows * blocksPerRow], async () => (await quantized()).scales);
  if (names.zeroPoints) {
    g.initializer(
      names.zeroPoints,
      'uint8',
      [rows * zeroPointBytesPerRow(blocksPerRow, spec.bits)],
      async () => (await quantized()).zeroPoints!,
    );
  }
  return names;
}

function matMulNBits(
  g: GraphBuilder,
  q: StreamingQuantizer,
  weights: WeightSource,
  x: string,
  tensorName: string,
  outFeatures: number,
  inFeatures: number,
  spec: QuantizationSpec,
  nodeName: string,
): string {
  const init = quantizedInitializers(g, q, weights, tensorName, outFeatures, inFeatures, spec);
  const inputs = [x, init.data, init.scales];
  if (init.zeroPoints) inputs.push(init.zeroPoints);
  return g.op('MatMulNBits', inputs, {
    domain: 'com.microsoft',
    name: nodeName,
    attrs: {
      K: inFeatures,
      N: outFeatures,
      bits: spec.bits,
      block_size: spec.blockSize,
      accuracy_level: spec.accuracyLevel,
    },
  });
}

/**
 * WeightOps for a quantized build: every linear layer as MatMulNBits; the LM head as MatMulNBits over
 * the (tied) table; the embedding as GatherBlockQuantized over the very same quantized initializer
 * (the file holds the table once; the gather reads the scales through a Reshape to [N, blocks, 1]).
 */
export function createQuantizedWeightOps(
  options: QuantizationOptions,
  build: QuantizedBuildOptions = {},
): QuantizedWeightOps {
  const resolved = resolveQuantization(options);
  const fromInputs = build.embeddingTable !== undefined && build.embeddingTable !== 'initializer';
  const q = new StreamingQuantizer();
  const channels = new StreamingChannelQuantizer();
  const tag = (spec: QuantizationSpec | undefined) =>
    spec === undefined ? 'fp32' : `${specTag(spec)}l${spec.accuracyLevel}`;
  const cacheKey =
    resolved.linear === undefined && resolved.embedding === undefined && resolved.lmHead === undefined
      ? 'fp32'
      : `linear=${linearTag(resolved.linearKernel, tag(resolved.linear))};embedding=${tag(resolved.embedding)};lm_head=${resolved.linearKernel === 'MatMulInteger' && resolved.lmHead?.bits === 8 ? 'rowq8ql' : tag(resolved.lmHead)}${fromInputs ? `;embedding_table=${build.embeddingTable}` : ''}`;

  return {
    cacheKey,
    resolved,
    build,
    linear(g, weights, x, tensorName, outFeatures, inFeatures) {
      if (!resolved.linear) return FP32_WEIGHT_OPS.linear(g, weights, x, tensorName, outFeatures, inFeatures);
      if (resolved.linearKernel === 'DynamicQuantizeMatMul') {
        return dynamicQuantizeMatMul(g, channels, weights, x, tensorName, outFeatures, inFeatures);
      }
      if (resolved.linearKernel === 'MatMulInteger') {
        return rowwiseInt8MatMul(
          g,
          channels,
          weights,
          x,
          tensorName,
          outFeatures,
          inFeatures,
          tensorName,
          'layers',
        );
      }
      return matMulNBits(
        g,
        q,
        weights,
        x,
        tensorName,
        outFeatures,
        inFeatures,
        resolved.linear,
        `${tensorName}.matmul_nbits`,
      );
    },
    embedding(g, weights, ids, tensorName, vocab, hidden) {
      const spec = resolved.embedding;
      if (!spec) return FP32_WEIGHT_OPS.embedding(g, weights, ids, tensorName, vocab, hidden);
      if (fromInputs) return gatherFromInputs(g, q, weights, ids, tensorName, vocab, hidden, spec, build);
      const init = quantizedInitializers(g, q, weights, tensorName, vocab, hidden, spec);
      const blocks = init.blocksPerRow;
      const scales3d = g.op('Reshape', [init.scales, g.int64s([vocab, blocks, 1])], {
        name: 'embed.scales_3d',
      });
      const inputs = [init.data, ids, scales3d];
      if (init.zeroPoints) {
        if (spec.bits === 8) {
          inputs.push(
            g.op('Reshape', [init.zeroPoints, g.int64s([vocab, blocks, 1])], {
              name: 'embed.zero_points_3d',
            }),
          );
        } else {
          inputs.push(gatherZeroPointsInitializer(g, q, weights, tensorName, vocab, hidden, spec, init.data));
        }
      }
      return gatherBlocks(g, inputs, spec, blocks, hidden);
    },
    lmHead(g, weights, x, tensorName, vocab, hidden) {
      if (!resolved.lmHead) return FP32_WEIGHT_OPS.lmHead(g, weights, x, tensorName, vocab, hidden);
      if (resolved.linearKernel === 'MatMulInteger' && resolved.lmHead.bits === 8) {
        // rows of their own here too (MatMulNBits' M > 1 path is an order of magnitude slower)
        return rowwiseInt8MatMul(g, channels, weights, x, tensorName, vocab, hidden, 'lm_head', 'lm_head');
      }
      return matMulNBits(
        g,
        q,
        weights,
        x,
        tensorName,
        vocab,
        hidden,
        resolved.lmHead,
        'lm_head.matmul_nbits',
      );
    },
  };
}

function linearTag(kernel: LinearKernel, blocks: string): string {
  if (kernel === 'DynamicQuantizeMatMul') return 'dqmm8';
  if (kernel === 'MatMulInteger') return 'rowq8ql'; // ql: rows quantized by QuantizeLinear (same numbers, new graph)
  return blocks;
}

/** Build-time choices that do not change the numbers. */
export interface QuantizedBuildOptions {
  /**
   * Where the quantized embedding gather reads its table: `initializer` (default: the same initializer
   * as a tied LM head, held by the session), or graph inputs `embedding.table` / `embedding.scales`
   * (/ `embedding.zero_points`) that the runtime feeds from one buffer to several sessions (the
   * decode and prefill graphs share one table instead of holding one each): `stored-input` also
   * writes the table into this graph's data file (the decode graph; the bytes are the tied LM head's
   * and the graph's metadata `FEEDS_FROM_DATA_KEY` names them), `input` does not (the prefill graph).
   */
  embeddingTable?: 'initializer' | 'stored-input' | 'input';
}

/** Graph input names of an embedding table fed by the runtime (`embeddingTable: 'input'`). */
export const EMBEDDING_TABLE_INPUTS = {
  data: 'embedding.table',
  scales: 'embedding.scales',
  zeroPoints: 'embedding.zero_points',
} as const;

/** GatherBlockQuantized over [N, blocks, blob] data, then rows of `hidden` values. */
function gatherBlocks(
  g: GraphBuilder,
  inputs: string[],
  spec: QuantizationSpec,
  blocks: number,
  hidden: number,
): string {
  const gathered = g.op('GatherBlockQuantized', inputs, {
    domain: 'com.microsoft',
    name: 'embed.gather_block_quantized',
    attrs: { gather_axis: 0, quantize_axis: 2, block_size: spec.blockSize, bits: spec.bits },
  }); // [B, T, blocks, blockSize]
  const flat = g.op('Reshape', [gathered, g.int64s([0, 0, blocks * spec.blockSize])], {
    name: 'embed.flatten',
  }); // [B, T, blocks * blockSize]
  if (blocks * spec.blockSize === hidden) return flat;
  return g.op('Slice', [flat, g.int64s([0]), g.int64s([hidden]), g.int64s([2])], {
    name: 'embed.unpad',
  }); // [B, T, H]
}

/**
 * The embedding gather over graph inputs (see `QuantizedBuildOptions.embeddingTable`). With
 * `stored-input` the table's initializers are written too (shared with a tied LM head when it uses
 * the same blocks) and `FEEDS_FROM_DATA_KEY` maps each input to the stored tensor that feeds it.
 */
function gatherFromInputs(
  g: GraphBuilder,
  q: StreamingQuantizer,
  weights: WeightSource,
  ids: string,
  tensorName: string,
  vocab: number,
  hidden: number,
  spec: QuantizationSpec,
  build: QuantizedBuildOptions,
): string {
  const blocks = Math.ceil(hidden / spec.blockSize);
  const blob = (spec.blockSize * spec.bits) / 8;
  const names = EMBEDDING_TABLE_INPUTS;
  const inputs = [
    g.input(names.data, 'uint8', [vocab, blocks, blob]),
    ids,
    g.input(names.scales, 'float32', [vocab, blocks, 1]),
  ];
  if (!spec.symmetric) inputs.push(g.input(names.zeroPoints, 'uint8', [vocab, blocks, 1]));
  if (build.embeddingTable === 'stored-input') {
    const init = quantizedInitializers(g, q, weights, tensorName, vocab, hidden, spec);
    const feeds: Record<string, { tensor: string; dims: number[] }> = {
      [names.data]: { tensor: init.data, dims: [vocab, blocks, blob] },
      [names.scales]: { tensor: init.scales, dims: [vocab, blocks, 1] },
    };
    if (!spec.symmetric) {
      const zp =
        spec.bits === 8
          ? init.zeroPoints!
          : gatherZeroPointsInitializer(g, q, weights, tensorName, vocab, hidden, spec, init.data);
      feeds[names.zeroPoints] = { tensor: zp, dims: [vocab, blocks, 1] };
    }
    g.metadata[FEEDS_FROM_DATA_KEY] = JSON.stringify(feeds);
  }
  return gatherBlocks(g, inputs, spec, blocks, hidden);
}

/**
 * 4-bit zero points as GatherBlockQuantized wants them, one per byte ([N, blocks, 1]; MatMulNBits packs
 * two per byte): an initializer beside the table `data`, defined once.
 */
function gatherZeroPointsInitializer(
  g: GraphBuilder,
  q: StreamingQuantizer,
  weights: WeightSource,
  tensorName: string,
  vocab: number,
  hidden: number,
  spec: QuantizationSpec,
  data: string,
): string {
  const name = `${data}.gather_zero_points`;
  if (g.has(name)) return name;
  const blocks = Math.ceil(hidden / spec.blockSize);
  return g.initializer(
    name,
    'uint8',
    [vocab, blocks, 1],
    async () => gatherZeroPoints(await q.get(weights, tensorName, vocab, hidden, spec))!,
  );
}
