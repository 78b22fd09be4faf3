import { CAUSAL, IMAGE_BIDIRECTIONAL } from './attention-mask.js';
import { encodeRgbPng } from './png.js';

const COLORS: Record<number, [number, number, number]> = {
  [CAUSAL]: [37, 99, 235], // blue: causal
  [IMAGE_BIDIRECTIONAL]: [234, 88, 12], // orange: visible only through the image block
};
const MASKED_COLOR: [number, number, number] = [243, 244, 246];
const GRID_COLOR: [number, number, number] = [209, 213, 219];

/** The [T, T] mask as a PNG: `cell` pixels per token, a 1-pixel grid line between cells when cell >= 4. */
export function maskPng(mask: Uint8Array, tokens: number, cell: number): Buffer {
  const size = tokens * cell;
  const rgb = new Uint8Array(size * size * 3); // [H, W, 3]
  const grid = cell >= 4;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const q = Math.floor(y / cell);
      const k = Math.floor(x / cell);
      const onLine = grid && (y % cell === cell - 1 || x % cell === cell - 1);
      const color = onLine ? GRID_COLOR : (COLORS[mask[q * tokens + k]!] ?? MASKED_COLOR);
      rgb.set(color, (y * size + x) * 3);
    }
  }
  return encodeRgbPng(size, size, rgb);
}

/** Cell size so the picture is about 800-1600 pixels wide, between 1 and 24 pixels per token. */
export function defaultCellSize(tokens: number): number {
  return Math.max(1, Math.min(24, Math.floor(1200 / Math.max(1, tokens))));
}
