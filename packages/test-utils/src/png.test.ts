import { inflateSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { gradientPng, gradientPngDataUri } from './png.js';

// Reads back what gradientPng wrote, chunk by chunk (no image library here).
function chunks(png: Buffer): { type: string; data: Buffer }[] {
  const found: { type: string; data: Buffer }[] = [];
  for (let at = 8; at < png.length; ) {
    const length = png.readUInt32BE(at);
    found.push({ type: png.toString('ascii', at + 4, at + 8), data: png.subarray(at + 8, at + 8 + length) });
    at += 12 + length;
  }
  return found;
}

describe('gradientPng', () => {
  test('an RGB PNG of the size asked: red across, green down, blue 128', () => {
    const png = gradientPng(5, 3);
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const [ihdr, idat, iend] = chunks(png);
    expect(ihdr!.type).toBe('IHDR');
    expect([ihdr!.data.readUInt32BE(0), ihdr!.data.readUInt32BE(4), ihdr!.data[8], ihdr!.data[9]]).toEqual([
      5, 3, 8, 2,
    ]);
    expect(iend!.type).toBe('IEND');
    const raw = inflateSync(idat!.data);
    expect(raw.length).toBe((5 * 3 + 1) * 3);
    const pixel = (x: number, y: number) => [...raw.subarray(y * 16 + 1 + x * 3, y * 16 + 4 + x * 3)];
    expect(pixel(0, 0)).toEqual([0, 0, 128]);
    expect(pixel(4, 2)).toEqual([Math.trunc((4 * 255) / 5), Math.trunc((2 * 255) / 3), 128]);
    expect(raw[16]).toBe(0); // filter byte of row 1
  });

  test('as a data URI', () => {
    expect(gradientPngDataUri(2, 2)).toBe(`data:image/png;base64,${gradientPng(2, 2).toString('base64')}`);
  });
});
