import type { GraphBuilder } from '@gemma3/onnx';

/**
 * Inverse frequencies as the reference computes them in float32:
 * 1 / base^(arange(0, dim, 2) / dim), divided by the linear scaling factor when there is one.
 */
export function inverseFrequencies(headDim: number, base: number, linearFactor: number): Float32Array {
  const f = Math.fround;
  const out = new Float32Array(headDim / 2);
  for (let j = 0; j < out.length; j++) {
    const exponent = f(f(2 * j) / headDim);
    let inv = f(1 / f(base ** exponent));
    if (linearFactor !== 1) inv = f(inv / linearFactor);
    out[j] = inv;
  }
  return out;
}

export interface RopeTables {
  /** [B, 1, T, D/2] */
  cos: string;
  /** [B, 1, T, D/2] */
  sin: string;
}

/** cos/sin of position * inv_freq for one rope kind, shared by every layer of that kind. */
export function ropeTables(
  g: GraphBuilder,
  positionIds: string,
  invFreq: Float32Array,
  name: string,
): RopeTables {
  const inv = g.initializer(`${name}.inv_freq`, 'float32', [invFreq.length], invFreq);
  const pos = g.op('Cast', [positionIds], { attrs: { to: 1 }, name: `${name}.pos_f32` }); // [B, T]
  const pos3 = g.op('Unsqueeze', [pos, g.int64s([2])], { name: `${name}.pos_unsq` }); // [B, T, 1]
  const freqs = g.op('Mul', [pos3, inv], { name: `${name}.freqs` }); // [B, T, D/2]
  const freqs4 = g.op('Unsqueeze', [freqs, g.int64s([1])], { name: `${name}.freqs_unsq` }); // [B, 1, T, D/2]
  return {
    cos: g.op('Cos', [freqs4], { name: `${name}.cos` }),
    sin: g.op('Sin', [freqs4], { name: `${name}.sin` }),
  };
}

/**
 * x * cos + rotate_half(x) * sin on x [B, N, T, D], with the halves written out:
 * [x1 * cos - x2 * sin, x2 * cos + x1 * sin] (the same float32 products and sums as the reference).
 */
export function applyRope(g: GraphBuilder, x: string, tables: RopeTables, name: string): string {
  const [x1, x2] = g.node('Split', [x], {
    attrs: { axis: -1, num_outputs: 2 },
    outputs: 2,
    name: `${name}.split`,
  });
  const a = g.op('Sub', [g.op('Mul', [x1!, tables.cos]), g.op('Mul', [x2!, tables.sin])], {
    name: `${name}.first`,
  });
  const b = g.op('Add', [g.op('Mul', [x2!, tables.cos]), g.op('Mul', [x1!, tables.sin])], {
    name: `${name}.second`,
  });
  return g.op('Concat', [a, b], { attrs: { axis: -1 }, name: `${name}.concat` });
}
