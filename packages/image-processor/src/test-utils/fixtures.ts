import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures');

export interface BackendReference {
  readonly file: string;
  readonly shape: [number, number, number, number];
  readonly num_crops: number[];
}

export interface FixtureCase {
  readonly name: string;
  readonly image: string;
  readonly size: { height: number; width: number };
  readonly do_pan_and_scan: boolean;
  readonly pil: BackendReference;
  readonly torchvision: BackendReference;
}

export interface Manifest {
  readonly luts: { pil: number[][]; torchvision: number[][] };
  readonly images: Record<
    string,
    { file: string; width: number; height: number; rgb_sha256: string; decoded?: string }
  >;
  readonly cases: FixtureCase[];
}

export const manifest: Manifest = JSON.parse(readFileSync(join(FIXTURES, 'manifest.json'), 'utf8'));

export function fixturePath(relative: string): string {
  return join(FIXTURES, relative);
}

/** A gzip file's bytes, as written (decoded-*.u8.gz: PIL's decoded RGB, [H, W, 3]). */
export function readGz(relative: string): Uint8Array {
  return new Uint8Array(gunzipSync(readFileSync(fixturePath(relative))));
}

/** Undoes the fixture script's row delta coding (see make_image_fixtures.py). */
export function readU8(relative: string, rowLength: number): Uint8Array {
  const data = readGz(relative);
  for (let start = 0; start < data.length; start += rowLength) {
    for (let x = 1; x < rowLength; x++) data[start + x] = (data[start + x]! + data[start + x - 1]!) & 255;
  }
  return data;
}

/** The reference backend's float32 output, rebuilt as lut[channel][u8] (exactness checked by the script). */
export function referencePixels(ref: BackendReference, lut: number[][]): Float32Array {
  const [n, c, h, w] = ref.shape;
  const u8 = readU8(ref.file, w);
  const out = new Float32Array(u8.length);
  const plane = h * w;
  for (let i = 0; i < n * c; i++) {
    const table = lut[i % c]!;
    for (let j = 0; j < plane; j++) out[i * plane + j] = table[u8[i * plane + j]!]!;
  }
  return out;
}

export function absErrors(
  a: Float32Array,
  b: Float32Array,
): { max: number; mean: number; count: number; argmax: number } {
  let max = 0;
  let sum = 0;
  let count = 0;
  let argmax = -1;
  for (let i = 0; i < a.length; i++) {
    const e = Math.abs(a[i]! - b[i]!);
    sum += e;
    if (e > 1e-5) count++;
    if (e > max) {
      max = e;
      argmax = i;
    }
  }
  return { max, mean: a.length ? sum / a.length : 0, count, argmax };
}
