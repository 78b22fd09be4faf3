import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GgufInputError } from './errors/gguf-input-error.js';
import type { GgufMetadata } from './gguf-metadata.js';
import { readGgufHeader } from './read-gguf.js';
import { type GgufTensorPlan, writeGguf } from './write-gguf.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gguf-write-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function tensor(name: string, shape: number[], values: Float32Array): GgufTensorPlan {
  return {
    name,
    shape,
    type: 'F32',
    data: async function* () {
      yield new Uint8Array(values.buffer);
    },
  };
}

const METADATA: GgufMetadata = [
  ['general.architecture', { type: 'string', value: 'gemma3' }],
  ['u8', { type: 'uint8', value: 255 }],
  ['i8', { type: 'int8', value: -128 }],
  ['u16', { type: 'uint16', value: 65535 }],
  ['i16', { type: 'int16', value: -32768 }],
  ['u32', { type: 'uint32', value: 4294967295 }],
  ['i32', { type: 'int32', value: -5 }],
  ['u64', { type: 'uint64', value: 2n ** 40n }],
  ['i64', { type: 'int64', value: -(2n ** 40n) }],
  ['f32', { type: 'float32', value: 1e-6 }],
  ['f64', { type: 'float64', value: Math.PI }],
  ['yes', { type: 'bool', value: true }],
  ['names', { type: 'array', itemType: 'string', value: ['a', 'ünïcode ▁x', ''] }],
  ['scores', { type: 'array', itemType: 'float32', value: new Float32Array([0, -1.5, 2]) }],
  ['types', { type: 'array', itemType: 'int32', value: new Int32Array([1, 6, 3]) }],
];

describe('writeGguf / readGgufHeader', () => {
  it('round-trips every metadata type, reversed dims and aligned data offsets', async () => {
    const path = join(dir, 'a.gguf');
    const a = Float32Array.from({ length: 6 }, (_, i) => i); // [2, 3] -> ne [3, 2]
    const b = Float32Array.from([7, 8, 9]); // 12 bytes: the next tensor starts at 32
    const c = Float32Array.from([10]);
    const result = await writeGguf(path, METADATA, [
      tensor('a', [2, 3], a),
      tensor('b', [3], b),
      tensor('c', [1], c),
    ]);
    const header = await readGgufHeader(path);
    expect(header.version).toBe(3);
    expect(header.alignment).toBe(32);
    expect(header.metadata.get('general.alignment')).toBe(32);
    expect(header.metadata.get('u8')).toBe(255);
    expect(header.metadata.get('i8')).toBe(-128);
    expect(header.metadata.get('u16')).toBe(65535);
    expect(header.metadata.get('i16')).toBe(-32768);
    expect(header.metadata.get('u32')).toBe(4294967295);
    expect(header.metadata.get('i32')).toBe(-5);
    expect(header.metadata.get('u64')).toBe(2n ** 40n);
    expect(header.metadata.get('i64')).toBe(-(2n ** 40n));
    expect(header.metadata.get('f32')).toBeCloseTo(1e-6, 12);
    expect(header.metadata.get('f64')).toBe(Math.PI);
    expect(header.metadata.get('yes')).toBe(true);
    expect(header.metadata.get('names')).toEqual(['a', 'ünïcode ▁x', '']);
    expect(header.metadata.get('scores')).toEqual([0, -1.5, 2]);
    expect(header.metadata.get('types')).toEqual([1, 6, 3]);
    expect(header.tensors.map((t) => [t.name, t.ne, t.type])).toEqual([
      ['a', [3, 2], 'F32'],
      ['b', [3], 'F32'],
      ['c', [1], 'F32'],
    ]);
    expect(header.dataOffset % 32).toBe(0);
    expect(header.dataOffset).toBe(result.dataOffset);
    const [ta, tb, tc] = header.tensors as unknown as [
      { offset: number },
      { offset: number },
      { offset: number },
    ];
    expect([
      ta.offset - header.dataOffset,
      tb.offset - header.dataOffset,
      tc.offset - header.dataOffset,
    ]).toEqual([0, 32, 64]);
    const bytes = await readFile(path);
    const at = (offset: number, n: number) => [
      ...new Float32Array(bytes.buffer.slice(bytes.byteOffset + offset, bytes.byteOffset + offset + 4 * n)),
    ];
    expect(at(ta.offset, 6)).toEqual([...a]);
    expect(at(tb.offset, 3)).toEqual([...b]);
    expect(at(tc.offset, 1)).toEqual([10]);
    expect(bytes.length).toBe(result.fileSize);
  });

  it('rejects duplicate keys and names, bad rows, out-of-range integers and short data, leaving no file', async () => {
    const path = join(dir, 'bad.gguf');
    const one = tensor('x', [1], new Float32Array(1));
    await expect(
      writeGguf(
        path,
        [
          ['k', { type: 'uint8', value: 1 }],
          ['k', { type: 'uint8', value: 2 }],
        ],
        [],
      ),
    ).rejects.toThrow(/metadata k: key given twice/);
    await expect(writeGguf(path, [], [one, one])).rejects.toThrow(/tensor x: name given twice/);
    await expect(writeGguf(path, [['k', { type: 'uint8', value: 256 }]], [])).rejects.toBeInstanceOf(
      GgufInputError,
    );
    const q: GgufTensorPlan = { ...one, name: 'q', shape: [2, 40], type: 'Q4_0' };
    await expect(writeGguf(path, [], [q])).rejects.toThrow(
      /row length 40 is not a multiple of the Q4_0 block \(32\)/,
    );
    const short = tensor('s', [4], new Float32Array(3));
    await expect(writeGguf(path, [], [short])).rejects.toThrow(/tensor s: data is 12 bytes, expected 16/);
    await expect(readFile(path)).rejects.toThrow();
    await expect(readFile(`${path}.partial`)).rejects.toThrow();
  });
});
