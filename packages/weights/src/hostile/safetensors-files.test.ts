// Crafted malformed safetensors files: each must be refused at open with a typed error that names
// the file and (where it applies) the tensor, never a crash, a hang or a huge allocation.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { WeightsError } from '../errors/weights-error.js';
import { openSafetensors } from '../open-safetensors.js';
import { type CraftOptions, craftSafetensors } from '../test-utils/craft-safetensors.js';

let dir: string;
let counter = 0;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'weights-hostile-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const f32x2 = { dtype: 'F32', shape: [2], data_offsets: [0, 8] };

/** Crafts the file, opens it, and returns the error (failing the test if none is thrown). */
async function openError(
  header: string | Uint8Array | Record<string, unknown>,
  data: Uint8Array = new Uint8Array(0),
  options: CraftOptions = {},
): Promise<WeightsError & { [key: string]: unknown }> {
  counter += 1;
  const path = join(dir, `case-${counter}.safetensors`);
  await craftSafetensors(path, header, data, options);
  const error = await openSafetensors(path).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WeightsError);
  const typed = error as WeightsError & { [key: string]: unknown };
  expect(typed.file).toBe(path);
  expect(typed.message.length).toBeLessThan(600);
  return typed;
}

describe('header length and truncation', () => {
  test('a file shorter than the 8-byte length prefix', async () => {
    const e = await openError('{}', new Uint8Array(0), { truncateTo: 5 });
    expect(e.code).toBe('safetensors/truncated');
  });

  test('a header length over the 100 MB limit', async () => {
    const e = await openError('{}', new Uint8Array(0), { headerLength: 100_000_001n });
    expect(e.code).toBe('safetensors/header-length');
    expect(e.message).toMatch(/exceeds the limit/);
  });

  test('the largest u64 header length', async () => {
    const e = await openError('{}', new Uint8Array(0), { headerLength: 2n ** 64n - 1n });
    expect(e.code).toBe('safetensors/header-length');
  });

  test('a header length that runs past the end of the file', async () => {
    const e = await openError('{}', new Uint8Array(0), { headerLength: 64n });
    expect(e.code).toBe('safetensors/header-length');
    expect(e.message).toMatch(/past the end/);
  });

  test('a data section shorter than the offsets say (file cut in the data)', async () => {
    const headerLength = JSON.stringify({ a: f32x2 }).length;
    const e = await openError({ a: f32x2 }, new Uint8Array(8), { truncateTo: 8 + headerLength + 5 });
    expect(e.code).toBe('safetensors/truncated');
    expect(e.tensor).toBe('a');
  });

  test('offsets far out of range', async () => {
    const e = await openError(
      { a: { dtype: 'U8', shape: [2 ** 50], data_offsets: [0, 2 ** 50] } },
      new Uint8Array(4),
    );
    expect(e.code).toBe('safetensors/truncated');
  });
});

describe('header text', () => {
  test('not UTF-8', async () => {
    const e = await openError(new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d])); // {"\xff\xfe":1}
    expect(e.code).toBe('safetensors/header-json');
    expect(e.message).toMatch(/not valid UTF-8/);
  });

  test('not JSON: the error quotes a short excerpt, never the whole (huge) header', async () => {
    const e = await openError(`{"a": ${'x'.repeat(1_000_000)}}`);
    expect(e.code).toBe('safetensors/header-json');
    expect(String(e.excerpt).length).toBeLessThanOrEqual(40);
  });

  test('JSON that is not an object', async () => {
    expect((await openError('[1, 2]')).code).toBe('safetensors/header-json');
    expect((await openError('null')).code).toBe('safetensors/header-json');
  });

  test('a tensor entry that is not an object', async () => {
    const e = await openError({ a: [1, 2] });
    expect(e.code).toBe('safetensors/header-json');
    expect(e.tensor).toBe('a');
  });
});

describe('__metadata__', () => {
  test('not an object', async () => {
    expect((await openError({ __metadata__: 'x' })).code).toBe('safetensors/metadata');
  });

  test('a value that is not a string', async () => {
    const e = await openError({ __metadata__: { format: 'pt', step: 3 } });
    expect(e.code).toBe('safetensors/metadata');
    expect(e.key).toBe('step');
  });
});

describe('duplicates', () => {
  test('the same tensor name twice (JSON.parse would keep the last silently)', async () => {
    const entry = JSON.stringify(f32x2);
    const e = await openError(`{"a": ${entry}, "b": ${entry}, "a": ${entry}}`, new Uint8Array(8));
    expect(e.code).toBe('safetensors/duplicate-tensor');
    expect(e.tensor).toBe('a');
  });

  test('the same name written with an escape still counts as a duplicate', async () => {
    const entry = JSON.stringify(f32x2);
    const e = await openError(`{"a": ${entry}, "\\u0061": ${entry}}`, new Uint8Array(8));
    expect(e.code).toBe('safetensors/duplicate-tensor');
  });

  test('a field twice inside one tensor entry', async () => {
    const e = await openError('{"a": {"dtype": "F32", "dtype": "U8", "shape": [2], "data_offsets": [0, 8]}}');
    expect(e.code).toBe('safetensors/header-json');
    expect(e.tensor).toBe('a');
  });

  test('equal names in different objects are not duplicates', async () => {
    counter += 1;
    const path = join(dir, `ok-${counter}.safetensors`);
    await craftSafetensors(path, { __metadata__: { a: 'x' }, a: f32x2 }, new Uint8Array(8));
    const file = await openSafetensors(path);
    expect(file.names()).toEqual(['a']);
    await file.close();
  });
});

describe('dtype and shape', () => {
  test('an unknown dtype', async () => {
    const e = await openError({ a: { dtype: 'F8_E9', shape: [1], data_offsets: [0, 1] } }, new Uint8Array(1));
    expect(e.code).toBe('safetensors/dtype');
    expect(e.tensor).toBe('a');
    expect(e.dtype).toBe('F8_E9');
  });

  test.each([
    ['negative', [-1]],
    ['fractional', [1.5]],
    ['a string', ['2']],
    ['beyond 2^53', [2 ** 60]],
    ['not a list', 4],
  ])('a dimension %s', async (_label, shape) => {
    const e = await openError({ a: { dtype: 'U8', shape, data_offsets: [0, 0] } });
    expect(e.code).toBe('safetensors/shape');
    expect(e.tensor).toBe('a');
  });
});

describe('data_offsets', () => {
  test.each([
    ['one number', [0]],
    ['strings', ['0', '8']],
    ['end before begin', [8, 0]],
    ['negative', [-8, 0]],
    ['absent', undefined],
    ['beyond 2^53', [0, 2 ** 60]],
    ['fractional', [0, 7.5]],
  ])('malformed: %s', async (_label, offsets) => {
    const e = await openError({ a: { dtype: 'F32', shape: [2], data_offsets: offsets } }, new Uint8Array(8));
    expect(e.code).toBe('safetensors/offsets-malformed');
    expect(e.tensor).toBe('a');
  });

  test('the first tensor not at 0', async () => {
    const e = await openError({ a: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } }, new Uint8Array(12));
    expect(e.code).toBe('safetensors/offsets-not-starting-at-zero');
  });

  test('overlapping tensors', async () => {
    const e = await openError(
      { a: f32x2, b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } },
      new Uint8Array(12),
    );
    expect(e.code).toBe('safetensors/offsets-overlap');
    expect(e.tensor).toBe('b');
  });

  test('the same bytes claimed by two tensors', async () => {
    const e = await openError({ a: f32x2, b: f32x2 }, new Uint8Array(8));
    expect(e.code).toBe('safetensors/offsets-overlap');
  });

  test('a hole between tensors', async () => {
    const e = await openError(
      { a: f32x2, b: { dtype: 'F32', shape: [2], data_offsets: [12, 20] } },
      new Uint8Array(20),
    );
    expect(e.code).toBe('safetensors/offsets-hole');
    expect(e.tensor).toBe('b');
  });

  test('bytes after the last tensor', async () => {
    const e = await openError({ a: f32x2 }, new Uint8Array(9));
    expect(e.code).toBe('safetensors/offsets-trailing-bytes');
  });

  test('bytes but no tensors', async () => {
    expect((await openError({}, new Uint8Array(3))).code).toBe('safetensors/offsets-trailing-bytes');
  });

  test('a span that does not match shape x dtype size', async () => {
    const e = await openError({ a: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, new Uint8Array(8));
    expect(e.code).toBe('safetensors/offsets-byte-span');
    expect(e.tensor).toBe('a');
  });

  test('a shape whose byte count overflows 64 bits is compared exactly (BigInt), not wrapped', async () => {
    // 2^52 * 2^52 * 4 bytes = 2^106: with float arithmetic this is inexact, with u64 it wraps to 0.
    const e = await openError({ a: { dtype: 'F32', shape: [2 ** 52, 2 ** 52], data_offsets: [0, 0] } });
    expect(e.code).toBe('safetensors/offsets-byte-span');
  });
});

describe('the path itself', () => {
  test('a missing file', async () => {
    await expect(openSafetensors(join(dir, 'nope.safetensors'))).rejects.toMatchObject({
      code: 'weights/file-unreadable',
      file: join(dir, 'nope.safetensors'),
      message: expect.stringMatching(/ENOENT/),
    });
  });

  test('a folder', async () => {
    await expect(openSafetensors(dir)).rejects.toMatchObject({ code: 'weights/file-unreadable', file: dir });
  });
});

test('a valid empty file (header {} and no data) opens', async () => {
  counter += 1;
  const path = join(dir, `empty-${counter}.safetensors`);
  await craftSafetensors(path, '{}        ');
  const file = await openSafetensors(path);
  expect(file.names()).toEqual([]);
  await file.close();
});
