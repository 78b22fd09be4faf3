import type { GraphBuilder } from '@gemma3/onnx';
import type { WeightOps } from './weight-ops.js';
import type { WeightSource } from './weight-source.js';

/** Joins tensor names into the name of their row-wise concatenation (see `withPackedTensors`). */
const PACK_SEPARATOR = '+';

/**
 * A WeightSource that also serves row-wise concatenations: `a+b` is tensor a's rows followed by b's
 * (Linear weights [out, in] sharing `in`). Read when the model is saved, like any tensor.
 */
export function withPackedTensors(weights: WeightSource): WeightSource {
  const readFloat32 = async (name: string) => {
    if (!name.includes(PACK_SEPARATOR)) return weights.readFloat32(name);
    const parts: Float32Array[] = [];
    for (const part of name.split(PACK_SEPARATOR)) parts.push(await weights.readFloat32(part));
    return concatenate(parts, Float32Array) as Float32Array;
  };
  const read = weights.read?.bind(weights);
  if (read === undefined) return { readFloat32 };
  return {
    readFloat32,
    // The stored bytes of the parts one after another when they share a dtype (else float32 values).
    async read(name, options) {
      if (!name.includes(PACK_SEPARATOR)) return read(name, options);
      const parts: { dtype: string; bytes: Uint8Array }[] = [];
      const buffers = options?.buffers;
      const partOptions = buffers === undefined ? {} : { shared: options?.shared === true, buffers };
      for (const part of name.split(PACK_SEPARATOR)) parts.push(await read(part, partOptions));
      const shared = options?.shared === true;
      if (parts.every((p) => p.dtype === parts[0]!.dtype)) {
        const bytes =
          buffers === undefined
            ? concatenate(
                parts.map((p) => p.bytes),
                Uint8Array,
                shared,
              )
            : concatenateInto(
                buffers.take(parts.reduce((n, p) => n + p.bytes.byteLength, 0)),
                parts.map((p) => p.bytes),
              );
        for (const p of parts) buffers?.give(p.bytes);
        return { dtype: parts[0]!.dtype, bytes };
      }
      for (const p of parts) buffers?.give(p.bytes);
      const values = await readFloat32(name);
      return { dtype: 'F32', bytes: concatenate([new Uint8Array(values.buffer)], Uint8Array, shared) };
    },
  };
}

/** The parts one after another, into `out` (their total length). */
function concatenateInto(out: Uint8Array, parts: readonly Uint8Array[]): Uint8Array {
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** The arrays one after another, in a new array (over a SharedArrayBuffer when `shared`). */
function concatenate<T extends Float32Array | Uint8Array>(
  parts: readonly T[],
  type: { new (buffer: ArrayBufferLike): T; BYTES_PER_ELEMENT: number },
  shared = false,
): T {
  const bytes = parts.reduce((n, p) => n + p.byteLength, 0);
  const out = new type(shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/**
 * Several Linear layers on the same input as one matrix multiplication over their concatenated
 * weights, split afterwards: x [..., in] -> one [..., out_i] per tensor. One kernel call instead of
 * several (fewer dispatches per decode step, wider N to share between threads); block quantization
 * runs per row, so a packed quantized weight holds exactly the blocks of the separate ones.
 * `weights` must serve packed names (`withPackedTensors`).
 */
export function packedLinear(
  g: GraphBuilder,
  ops: WeightOps,
  weights: WeightSource,
  x: string,
  tensorNames: readonly string[],
  outFeatures: readonly number[],
  inFeatures: number,
): string[] {
  const total = outFeatures.reduce((a, b) => a + b, 0);
  const joined = ops.linear(g, weights, x, tensorNames.join(PACK_SEPARATOR), total, inFeatures); // [..., sum out]
  const parts = g.node('Split', [joined, g.int64s([...outFeatures])], {
    attrs: { axis: -1 },
    outputs: tensorNames.length,
    name: `${tensorNames[0]}.packed_split`,
  });
  return parts as string[]; // [..., out_i] each
}
