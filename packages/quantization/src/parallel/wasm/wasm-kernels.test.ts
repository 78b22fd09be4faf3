import { readFileSync } from 'node:fs';
import { float32ToBfloat16Bits } from '@gemma3/weights';
import { describe, expect, it } from 'vitest';
import { compileKernels, embeddedModuleSource } from '../../../scripts/compile-kernels.js';
import { type BlockQuantSpec, quantizeBlocks, quantizeChannelsInt8 } from '../../block-quantize.js';
import { roundingMatrix } from '../../test-utils/rounding-matrix.js';
import type { RowSource } from '../row-source.js';
import { int8ChannelRows, symmetricBlockRows, wasmTakesBlocks, wasmTakesChannels } from './wasm-kernels.js';

/** The values' bf16 bits as a RowSource (the values are bf16 already: exact). */
function bf16Source(values: Float32Array): RowSource {
  const words = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) words[i] = float32ToBfloat16Bits(values[i]!);
  return { dtype: 'BF16', bytes: new Uint8Array(words.buffer) };
}

const bytesOf = (v: ArrayBufferView | undefined) =>
  v === undefined ? undefined : Buffer.from(v.buffer, v.byteOffset, v.byteLength);

// [2100, 1024] spans three 4 MiB chunks (2048 rows each); the special rows (zero, ties, NaN,
// infinities, subnormals) sit in the first, and a NaN row is added to the last chunk's middle.
const ROWS = 2100;
const COLS = 1024;
const values = roundingMatrix(ROWS, COLS, 'BF16', 7);
values[2090 * COLS + 5] = Number.NaN;
const source = bf16Source(values);

describe('SIMD quantize kernels (quantize-kernels.wat)', () => {
  it('the embedded module is quantize-kernels.wat compiled (pnpm build:wasm after an edit)', async () => {
    const wat = readFileSync(new URL('./quantize-kernels.wat', import.meta.url), 'utf8');
    const embedded = readFileSync(new URL('./quantize-kernels-wasm.ts', import.meta.url), 'utf8');
    expect(embedded).toBe(embeddedModuleSource(await compileKernels(wat)));
  });

  for (const spec of [
    { bits: 4, blockSize: 32, symmetric: true },
    { bits: 4, blockSize: 16, symmetric: true },
    { bits: 4, blockSize: 128, symmetric: true },
    { bits: 8, blockSize: 32, symmetric: true },
    { bits: 8, blockSize: 256, symmetric: true },
  ] satisfies BlockQuantSpec[]) {
    it(`symmetric ${spec.bits}-bit blocks of ${spec.blockSize}: quantizeBlocks' bytes, over chunks`, () => {
      const expected = quantizeBlocks(values, ROWS, COLS, spec);
      const out = {
        data: new Uint8Array(expected.data.length),
        scales: new Float32Array(expected.scales.length),
        zeroPoints: undefined,
      };
      expect(wasmTakesBlocks(source, COLS, spec, out)).toBe(true);
      // Two calls that split the rows inside a chunk, as worker tasks do.
      symmetricBlockRows(source, COLS, spec, 0, 1000, out);
      symmetricBlockRows(source, COLS, spec, 1000, ROWS, out);
      expect(bytesOf(out.data)!.equals(bytesOf(expected.data)!)).toBe(true);
      expect(bytesOf(out.scales)!.equals(bytesOf(expected.scales)!)).toBe(true);
    });
  }

  it('int8 channels: quantizeChannelsInt8 bytes over chunks; NaN rows through the float path only', () => {
    const expected = quantizeChannelsInt8(values, ROWS, COLS);
    const out = { transposed: new Int8Array(ROWS * COLS), scales: new Float32Array(ROWS) };
    const floatRows: number[] = [];
    const viaFloat = (start: number, end: number) => {
      for (let r = start; r < end; r++) {
        floatRows.push(r);
        // What the float path writes for a row: its reference bytes (the kernel's are overwritten).
        out.scales[r] = expected.scales[r]!;
        for (let c = 0; c < COLS; c++) out.transposed[c * ROWS + r] = expected.transposed[c * ROWS + r]!;
      }
    };
    expect(wasmTakesChannels(source, COLS)).toBe(true);
    int8ChannelRows(source, ROWS, COLS, 0, 700, out, viaFloat);
    int8ChannelRows(source, ROWS, COLS, 700, ROWS, out, viaFloat);
    expect(floatRows).toEqual([4, 2090]); // roundingMatrix's NaN row and the one added
    expect(bytesOf(out.transposed)!.equals(bytesOf(expected.transposed)!)).toBe(true);
    expect(bytesOf(out.scales)!.equals(bytesOf(expected.scales)!)).toBe(true);
  });

  it('takes only what it computes exactly: bf16, symmetric, whole blocks of a multiple of 8', () => {
    const out = { data: new Uint8Array(0), scales: new Float32Array(0), zeroPoints: undefined };
    const f32: RowSource = { dtype: 'F32', bytes: new Uint8Array(0) };
    const spec: BlockQuantSpec = { bits: 4, blockSize: 32, symmetric: true };
    expect(wasmTakesBlocks(f32, 64, spec, out)).toBe(false);
    expect(wasmTakesBlocks(source, 48, spec, out)).toBe(false); // a padded last block
    expect(wasmTakesBlocks(source, 64, { ...spec, symmetric: false }, out)).toBe(false);
    expect(wasmTakesBlocks(source, 64, spec, { ...out, zeroPoints: new Uint8Array(0) })).toBe(false);
    expect(wasmTakesChannels(source, 100)).toBe(false);
    expect(wasmTakesChannels(f32, 64)).toBe(false);
  });
});
