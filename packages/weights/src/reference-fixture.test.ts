// A file written by Python safetensors 0.8 / torch 2.13 (tools/reference/weights/make_fixture.py):
// the reader on a file it did not write, and this package's float32 -> bf16/f16 rounding against torch's.
import { readFile } from 'node:fs/promises';
import { describe, expect, test } from 'vitest';
import { float32ToBfloat16 } from './convert/bfloat16.js';
import { float32ToFloat16 } from './convert/float16.js';
import { openSafetensors } from './open-safetensors.js';

const fixture = (name: string) => new URL(`../fixtures/${name}`, import.meta.url).pathname;

interface Manifest {
  edge_value_count: number;
  tensors: Record<string, { dtype: string; shape: number[] }>;
  ids_i64: number[][];
  mask_bool: boolean[];
}

const TORCH_DTYPES: Record<string, string> = {
  float32: 'F32',
  bfloat16: 'BF16',
  float16: 'F16',
  int64: 'I64',
  bool: 'BOOL',
};

/** Indices where two 16-bit arrays differ, counting any NaN as equal to any NaN. */
function differences(ours: Uint16Array, torch: Uint16Array, isNaNBits: (bits: number) => boolean): number[] {
  const out: number[] = [];
  for (let i = 0; i < ours.length; i++) {
    const same = ours[i] === torch[i] || (isNaNBits(ours[i]!) && isNaNBits(torch[i]!));
    if (!same) out.push(i);
  }
  return out;
}

const bf16IsNaN = (b: number) => (b & 0x7f80) === 0x7f80 && (b & 0x7f) !== 0;
const f16IsNaN = (b: number) => (b & 0x7c00) === 0x7c00 && (b & 0x3ff) !== 0;

describe('reference.safetensors (written by Python safetensors)', async () => {
  const manifest = JSON.parse(await readFile(fixture('reference.json'), 'utf8')) as Manifest;

  test('opens with the names, dtypes, shapes and metadata the script wrote', async () => {
    const file = await openSafetensors(fixture('reference.safetensors'));
    expect(file.metadata).toEqual({ format: 'pt' });
    expect(file.names().sort()).toEqual(Object.keys(manifest.tensors).sort());
    for (const [name, { dtype, shape }] of Object.entries(manifest.tensors)) {
      expect(file.info(name).dtype).toBe(TORCH_DTYPES[dtype]);
      expect(file.info(name).shape).toEqual(shape);
    }
    await file.close();
  });

  test('our float32 -> bfloat16 and -> float16 rounding equals torch bit for bit (edge cases + 4096 randoms)', async () => {
    const file = await openSafetensors(fixture('reference.safetensors'));
    const values = await file.readFloat32('values_f32');
    expect(values.length).toBe(manifest.edge_value_count + 4096);
    const torchBf16 = (await file.readTyped('values_bf16')).data as Uint16Array;
    const torchF16 = (await file.readTyped('values_f16')).data as Uint16Array;
    // NaN payloads differ: torch writes 0xFFFF (vectorised path), c10's scalar path and we write 0x7FC0.
    expect(differences(float32ToBfloat16(values), torchBf16, bf16IsNaN)).toEqual([]);
    expect(differences(float32ToFloat16(values), torchF16, f16IsNaN)).toEqual([]);
    await file.close();
  });

  test('16-bit tensors widen to exactly the float32 values torch gives', async () => {
    const file = await openSafetensors(fixture('reference.safetensors'));
    expect(await file.readFloat32('matrix_bf16')).toEqual(await file.readFloat32('matrix_bf16_as_f32'));
    await file.close();
  });

  test('integer, bool and scalar tensors', async () => {
    const file = await openSafetensors(fixture('reference.safetensors'));
    const ids = (await file.readTyped('ids_i64')).data as BigInt64Array;
    expect([...ids]).toEqual(manifest.ids_i64.flat().map((n) => BigInt(n)));
    expect([...(await file.read('mask_bool')).bytes]).toEqual(manifest.mask_bool.map((b) => (b ? 1 : 0)));
    expect(file.info('scalar_f32').shape).toEqual([]);
    expect([...(await file.readFloat32('scalar_f32'))]).toEqual([0.25]);
    await file.close();
  });
});
