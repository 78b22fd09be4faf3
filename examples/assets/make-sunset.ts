// Draws examples/assets/sunset.png deterministically (no randomness, no dependencies):
//   npx tsx examples/assets/make-sunset.ts
// A sunset over mountains and a lake, 320x240 RGB, written with a minimal PNG encoder (node:zlib).
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const W = 320;
const H = 240;
const HORIZON = 150;

type RGB = [number, number, number];
const mix = (a: RGB, b: RGB, t: number): RGB => [0, 1, 2].map((i) => a[i]! + (b[i]! - a[i]!) * t) as RGB;
const clamp01 = (x: number) => Math.min(1, Math.max(0, x));

function sky(y: number): RGB {
  const t = clamp01(y / HORIZON);
  return t < 0.6
    ? mix([28, 36, 92], [196, 84, 120], t / 0.6)
    : mix([196, 84, 120], [255, 176, 92], (t - 0.6) / 0.4);
}

const SUN = { x: 92, y: 88, r: 20 };
function withSun(color: RGB, x: number, y: number): RGB {
  const d = Math.hypot(x - SUN.x, y - SUN.y);
  if (d <= SUN.r) return mix([255, 236, 170], [255, 214, 120], d / SUN.r);
  const glow = Math.exp(-(d - SUN.r) / 28) * 0.55;
  return mix(color, [255, 220, 150], glow);
}

const ridge = (x: number, base: number, parts: [number, number, number][]) =>
  base + parts.reduce((s, [amp, freq, phase]) => s + amp * Math.sin(x * freq + phase), 0);
const far = (x: number) =>
  ridge(x, 112, [
    [14, 0.021, 0.4],
    [7, 0.055, 1.3],
    [3, 0.13, 2.1],
  ]);
const near = (x: number) =>
  ridge(x, 132, [
    [12, 0.017, 2.2],
    [6, 0.047, 0.3],
    [2.5, 0.16, 1.7],
  ]);

function land(x: number, y: number): RGB | undefined {
  if (y >= near(x)) return mix([58, 34, 70], [34, 22, 48], clamp01((y - near(x)) / 30));
  if (y >= far(x)) return mix([120, 70, 110], [92, 56, 96], clamp01((y - far(x)) / 30));
  return undefined;
}

function scene(x: number, y: number): RGB {
  if (y < HORIZON) return land(x, y) ?? withSun(sky(y), x, y);
  // The lake: the scene mirrored about the horizon, darker, with horizontal ripples.
  const depth = y - HORIZON;
  const ripple = Math.sin(depth * 0.9 + Math.sin(x * 0.05) * 1.5) * (1 + depth * 0.04);
  const my = Math.max(0, HORIZON - depth - 1 + ripple);
  const mirrored = land(x, my) ?? withSun(sky(my), x + ripple * 0.5, my);
  return mix(mirrored, [20, 26, 60], 0.25 + (depth / (H - HORIZON)) * 0.35);
}

const rgb = new Uint8Array(W * H * 3); // [H, W, 3]
for (let y = 0; y < H; y++) {
  for (let x = 0; x < W; x++)
    rgb.set(
      scene(x, y).map((v) => Math.round(v)),
      (y * W + x) * 3,
    );
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (bytes: Uint8Array) => {
  let c = 0xffffffff;
  for (const b of bytes) c = crcTable[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
const chunk = (type: string, data: Uint8Array) => {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const out = Buffer.alloc(body.length + 8);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(crc32(body), body.length + 4);
  return out;
};
const raw = Buffer.alloc((W * 3 + 1) * H);
for (let y = 0; y < H; y++) raw.set(rgb.subarray(y * W * 3, (y + 1) * W * 3), y * (W * 3 + 1) + 1);
const header = Buffer.alloc(13);
header.writeUInt32BE(W, 0);
header.writeUInt32BE(H, 4);
header[8] = 8;
header[9] = 2;
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', header),
  chunk('IDAT', deflateSync(raw, { level: 9 })),
  chunk('IEND', new Uint8Array(0)),
]);
const out = new URL('./sunset.png', import.meta.url);
writeFileSync(out, png);
console.log(`wrote ${out.pathname} (${png.length} bytes)`);
