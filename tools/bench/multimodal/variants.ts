/**
 * Vision variants of the multimodal bench, as `tower[/projector]` with each part one of `fp32`,
 * `dqmm8` (DynamicQuantizeMatMul, int8 per output channel) or `q{4|8}b{32|64|128}` (MatMulNBits,
 * symmetric, accuracy level 4); the projector is fp32 unless given. `default`: VISION_DEFAULTS of q4.
 */
import type {
  QuantizationOptions,
  VisionModuleQuantization,
} from '../../../packages/quantization/src/index.js';

function moduleOf(part: string): VisionModuleQuantization {
  if (part === 'fp32') return 'fp32';
  if (part === 'dqmm8') return { kernel: 'DynamicQuantizeMatMul' };
  const m = /^q(4|8)b(16|32|64|128|256)(l[0-4])?$/.exec(part);
  if (!m) throw new Error(`unknown vision variant part "${part}" (fp32, dqmm8, q4b32, q8b32, q4b128l0, ...)`);
  return {
    kernel: 'MatMulNBits',
    bits: Number(m[1]) as 4 | 8,
    blockSize: Number(m[2]) as 32,
    symmetric: true,
    accuracyLevel: (m[3] ? Number(m[3].slice(1)) : 4) as 4,
  };
}

/** The options createVisionWeightOps gets for a variant (dtype q4: the text side of the bench). */
export function visionOptionsOf(variant: string): QuantizationOptions {
  if (variant === 'default') return { dtype: 'q4' };
  const [tower, projector = 'fp32'] = variant.split('/');
  return {
    dtype: 'q4',
    modules: { visionTower: moduleOf(tower!), projector: moduleOf(projector) },
  };
}

/** Seeded processed pixels in [-1, 1] for one image [1, 3, size, size] (xorshift, as the vision bench). */
export function seededPixels(size: number, seed = 0x9e3779b9): Float32Array {
  const pixels = new Float32Array(3 * size * size);
  let s = seed;
  for (let i = 0; i < pixels.length; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    pixels[i] = ((s >>> 0) / 0xffffffff) * 2 - 1;
  }
  return pixels;
}

/** A seeded RGB image (bytes) for the chat-template path. */
export function seededImage(
  size: number,
  seed = 12345,
): { data: Uint8Array; width: number; height: number; channels: 3 } {
  const data = new Uint8Array(size * size * 3);
  let s = seed;
  for (let i = 0; i < data.length; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    data[i] = (s >>> 0) & 0xff;
  }
  return { data, width: size, height: size, channels: 3 };
}
