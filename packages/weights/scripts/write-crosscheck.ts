/**
 * Writes a file with this package's writer for Python safetensors to read back:
 *   pnpm --filter @gemma3/weights exec tsx --conditions=@gemma3/source scripts/write-crosscheck.ts /tmp/ts.safetensors
 *   /work/refvenv/bin/python tools/reference/weights/make_fixture.py --check /tmp/ts.safetensors
 * The values match `edge_values()` in make_fixture.py; BF16/F16 come from this package's rounding and
 * are compared bit for bit with torch's.
 */
import { writeSafetensors } from '../src/index.js';

const f32 = (bits: number) => new Float32Array(new Uint32Array([bits]).buffer)[0]!;
const edges = new Float32Array([
  1.0,
  -2.5,
  314159 / 100000,
  0.0,
  -0.0,
  Infinity,
  -Infinity,
  NaN,
  f32(0x3f808000),
  f32(0x3f818000),
  f32(0x3f808001),
  f32(0x3f807fff),
  f32(0x7f7fffff),
  f32(0x00010000),
  f32(0x00008000),
  f32(0x00018000),
  f32(0x00000001),
  65504,
  65519,
  65520,
  1e6,
  2 ** -14,
  2 ** -24,
  2 ** -25,
  1.5 * 2 ** -25,
  3 * 2 ** -25,
  1023 * 2 ** -24,
  1 + 2 ** -11,
  1 + 3 * 2 ** -11,
  -1e-30,
  1e-45,
]);

const path = process.argv[2];
if (path === undefined) throw new Error('usage: write-crosscheck.ts OUT.safetensors');
await writeSafetensors(
  path,
  [
    { name: 'values_f32', dtype: 'F32', shape: [edges.length], data: edges },
    { name: 'values_bf16', dtype: 'BF16', shape: [edges.length], data: edges },
    { name: 'values_f16', dtype: 'F16', shape: [edges.length], data: edges },
    {
      name: 'ids_i64',
      dtype: 'I64',
      shape: [2, 3],
      data: new BigInt64Array([0n, -1n, 2n ** 62n, 7n, 262143n, -(2n ** 63n)]),
    },
    { name: 'mask_bool', dtype: 'BOOL', shape: [3], data: new Uint8Array([1, 0, 1]) },
    { name: 'scalar_f32', dtype: 'F32', shape: [], data: new Float32Array([0.25]) },
    { name: 'empty_f32', dtype: 'F32', shape: [0, 3], data: new Float32Array(0) },
  ],
  { metadata: { writer: '@gemma3/weights' } },
);
console.log(`wrote ${path}`);
