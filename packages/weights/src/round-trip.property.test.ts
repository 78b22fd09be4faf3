import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { bfloat16BitsToFloat32, float32ToBfloat16Bits } from './convert/bfloat16.js';
import { float16BitsToFloat32, float32ToFloat16Bits } from './convert/float16.js';
import { dtypeByteSize, SAFETENSORS_DTYPES } from './dtypes.js';
import { WeightsError } from './errors/weights-error.js';
import { openSafetensors } from './open-safetensors.js';
import { type TensorToWrite, writeSafetensors } from './write-safetensors.js';

let dir: string;
let counter = 0;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'weights-property-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const tensorArbitrary = fc
  .record({
    dtype: fc.constantFrom(...SAFETENSORS_DTYPES),
    shape: fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 }),
  })
  .chain(({ dtype, shape }) => {
    const bytes = shape.reduce((a, b) => a * b, 1) * dtypeByteSize(dtype);
    return fc.uint8Array({ minLength: bytes, maxLength: bytes }).map((data) => ({ dtype, shape, data }));
  });

const fileArbitrary = fc.record({
  tensors: fc.uniqueArray(fc.tuple(fc.string({ minLength: 1, maxLength: 12 }), tensorArbitrary), {
    selector: ([name]) => name,
    maxLength: 6,
  }),
  metadata: fc.option(
    fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 3 }),
    {
      nil: undefined,
    },
  ),
});

function nextPath(): string {
  counter += 1;
  return join(dir, `p-${counter}.safetensors`);
}

describe('safetensors round trip (property)', () => {
  test('any set of tensors (any names, dtypes, shapes incl. scalars and zeros, bytes) reads back as written', async () => {
    await fc.assert(
      fc.asyncProperty(fileArbitrary, async ({ tensors, metadata }) => {
        fc.pre(tensors.every(([name]) => name !== '__metadata__'));
        const path = nextPath();
        const toWrite: TensorToWrite[] = tensors.map(([name, t]) => ({ name, ...t }));
        await writeSafetensors(path, toWrite, metadata === undefined ? {} : { metadata });
        const file = await openSafetensors(path);
        try {
          expect(file.names()).toEqual(toWrite.map((t) => t.name));
          expect(file.metadata).toEqual(metadata ?? {});
          for (const t of toWrite) {
            const back = await file.read(t.name);
            expect(back.dtype).toBe(t.dtype);
            expect(back.shape).toEqual(t.shape);
            expect(back.bytes).toEqual(t.data);
          }
        } finally {
          await file.close();
          await rm(path);
        }
      }),
      { numRuns: 100 },
    );
  });

  test('corrupting any bytes of a valid file gives a WeightsError or a readable file, nothing else', async () => {
    const path = nextPath();
    await writeSafetensors(path, [
      { name: 'a', dtype: 'BF16', shape: [2, 3], data: new Float32Array(6).fill(1) },
      { name: 'b', dtype: 'I64', shape: [2], data: new BigInt64Array([1n, 2n]) },
      { name: 'c', dtype: 'F16', shape: [1], data: new Float32Array([2]) },
    ]);
    const original = new Uint8Array(await readFile(path));
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat({ max: original.length - 1 }), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 4,
        }),
        fc.option(fc.nat({ max: original.length }), { nil: undefined }),
        async (edits, cut) => {
          const bytes = original.slice(0, cut ?? original.length);
          for (const [at, value] of edits) if (at < bytes.length) bytes[at] = value;
          const target = nextPath();
          await writeFile(target, bytes);
          try {
            const file = await openSafetensors(target);
            for (const name of file.names()) {
              const info = file.info(name);
              if (
                info.dtype === 'F32' ||
                info.dtype === 'F16' ||
                info.dtype === 'BF16' ||
                info.dtype === 'F64'
              ) {
                await file.readFloat32(name);
              } else {
                await file.read(name);
              }
            }
            await file.close();
          } catch (error) {
            expect(error).toBeInstanceOf(WeightsError);
          } finally {
            await rm(target);
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});

/** True when `bits` is the nearest value to x among its neighbours, ties going to the even one. */
function isNearestEven(x: number, bits: number, decode: (b: number) => number, maxFinite: number): boolean {
  const value = decode(bits);
  if (Math.abs(x) > maxFinite) return !Number.isFinite(value) || Math.abs(value) === maxFinite;
  const sign = bits & 0x8000;
  const magnitude = bits & 0x7fff;
  const neighbours = [magnitude - 1, magnitude + 1]
    .filter((m) => m >= 0)
    .map((m) => decode(sign | m))
    .filter(Number.isFinite);
  const distance = Math.abs(x - value);
  return neighbours.every((n) => {
    const other = Math.abs(x - n);
    return distance < other || (distance === other && (bits & 1) === 0);
  });
}

describe('float32 -> 16-bit rounding (property)', () => {
  const float32 = fc.float({ noNaN: true });
  // Exact midpoints between neighbouring 16-bit values (ties), which random floats almost never hit.
  const sign = fc.constantFrom(1, -1);
  const bfloat16Ties = fc
    .tuple(fc.integer({ min: 0, max: 0x7f7e }), sign)
    .map(([b, s]) => (s * (bfloat16BitsToFloat32(b) + bfloat16BitsToFloat32(b + 1))) / 2);
  const float16Ties = fc
    .tuple(fc.integer({ min: 0, max: 0x7bfe }), sign)
    .map(([h, s]) => (s * (float16BitsToFloat32(h) + float16BitsToFloat32(h + 1))) / 2);

  test('bfloat16 is the nearest value, ties to even', () => {
    fc.assert(
      fc.property(fc.oneof(float32, bfloat16Ties), (x) =>
        isNearestEven(x, float32ToBfloat16Bits(x), bfloat16BitsToFloat32, bfloat16BitsToFloat32(0x7f7f)),
      ),
      { numRuns: 5000 },
    );
  });

  test('float16 is the nearest value, ties to even', () => {
    fc.assert(
      fc.property(fc.oneof(float32, float16Ties), (x) =>
        isNearestEven(x, float32ToFloat16Bits(x), float16BitsToFloat32, 65504),
      ),
      { numRuns: 5000 },
    );
  });
});
