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
  /** [B * T, D/2]: cos of row b's position t at row b * T + t (a per-step "cache" for RotaryEmbedding). */
  cos: string;
  /** [B * T, D/2] */
  sin: string;
  /** [B, T] int64: b * T + t, each token's row in the tables above. */
  rows: string;
}

/**
 * cos/sin of position * inv_freq for one rope kind, shared by every layer of that kind: computed for
 * this step's positions only (not a table over every possible position), flattened so onnxruntime's
 * RotaryEmbedding finds each token's row through `rows`.
 */
export function ropeTables(
  g: GraphBuilder,
  positionIds: string,
  invFreq: Float32Array,
  name: string,
): RopeTables {
  const inv = g.initializer(`${name}.inv_freq`, 'float32', [invFreq.length], invFreq);
  const pos = g.op('Cast', [positionIds], { attrs: { to: 1 }, name: `${name}.pos_f32` }); // [B, T]
  const flat = g.op('Reshape', [pos, g.int64s([-1, 1])], { name: `${name}.pos_flat` }); // [B*T, 1]
  const freqs = g.op('Mul', [flat, inv], { name: `${name}.freqs` }); // [B*T, D/2]
  const count = g.op('Size', [positionIds], { name: `${name}.count` }); // B*T
  const range = g.op(
    'Range',
    [g.constant(`${name}.zero`, 'int64', [], [0]), count, g.constant(`${name}.one`, 'int64', [], [1])],
    {
      name: `${name}.range`,
    },
  ); // [B*T]
  const rows = g.op('Reshape', [range, g.op('Shape', [positionIds], { name: `${name}.shape` })], {
    name: `${name}.rows`,
  }); // [B, T]
  return {
    cos: g.op('Cos', [freqs], { name: `${name}.cos` }),
    sin: g.op('Sin', [freqs], { name: `${name}.sin` }),
    rows,
  };
}

/**
 * x * cos + rotate_half(x) * sin on x [B, N, T, D] (halves, not interleaved pairs) as one
 * com.microsoft RotaryEmbedding: [x1 * cos - x2 * sin, x2 * cos + x1 * sin], the reference's float32
 * products and sums.
 */
export function applyRope(
  g: GraphBuilder,
  x: string,
  tables: RopeTables,
  name: string,
  output?: string,
): string {
  return g.op('RotaryEmbedding', [x, tables.rows, tables.cos, tables.sin], {
    domain: 'com.microsoft',
    attrs: { interleaved: 0 },
    name,
    ...(output === undefined ? {} : { output }),
  }); // [B, N, T, D]
}
