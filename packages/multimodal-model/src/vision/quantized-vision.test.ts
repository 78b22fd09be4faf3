import { readFile, rm } from 'node:fs/promises';
import type { Gemma3Config } from '@gemma3/config';
import {
  createQuantizedWeightOps,
  createVisionWeightOps,
  type QuantizationOptions,
} from '@gemma3/quantization';
import type { SafetensorsFile } from '@gemma3/weights';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Gemma3ForConditionalGeneration } from '../model/gemma3-for-conditional-generation.js';
import { loadMultimodalConfig } from '../model/load-multimodal-config.js';
import {
  forwardCases,
  loadManifest,
  maxAbsDiff,
  openGolden,
  TINY_VLM,
  tempCacheDir,
} from '../test-utils/fixtures.js';
import { loadVisionEncoder } from './load-vision-encoder.js';
import type { PixelValues } from './vision-encoder.js';

/**
 * Quantized vision tower / projector (createVisionWeightOps of @gemma3/quantization) on tiny-vlm,
 * against the reference's float32 image features, over every image of the golden cases.
 * Figures measured here are in the README; the bounds are loose on purpose (about 2-3x the measured
 * error): the random 32-wide, 2-layer tower sees weight rounding directly, int8 variants (relative
 * weight error ~0.5-0.8%) must stay far closer than q4 (~9%), and each must differ from the reference
 * by more than the fp32 tolerance, proving the quantized graph is the one that ran.
 */
const manifest = loadManifest();
const tol = manifest.tolerance.image_features_max_abs;
const cacheDir = tempCacheDir();
let golden: SafetensorsFile;
let config: Gemma3Config;
const images: { pixels: PixelValues; features: Float32Array }[] = [];

const VARIANTS: {
  name: string;
  options: QuantizationOptions;
  ops: string[];
  minCosine: number;
  maxRel: number;
}[] = [
  {
    name: 'tower DynamicQuantizeMatMul',
    options: { dtype: 'q4', modules: { visionTower: { kernel: 'DynamicQuantizeMatMul' } } },
    ops: ['DynamicQuantizeMatMul'],
    minCosine: 0.9999, // measured min 0.99998
    maxRel: 0.015, // measured 0.41%
  },
  {
    name: 'tower q8 b32 (MatMulNBits, int8 compute)',
    options: { dtype: 'q8', modules: { visionTower: { kernel: 'MatMulNBits', bits: 8, blockSize: 32 } } },
    ops: ['MatMulNBits'],
    minCosine: 0.9999, // measured min 0.99998
    maxRel: 0.015, // measured 0.38%
  },
  {
    name: 'tower q4 b32',
    options: { dtype: 'q4', modules: { visionTower: { kernel: 'MatMulNBits', bits: 4, blockSize: 32 } } },
    ops: ['MatMulNBits'],
    minCosine: 0.99, // measured min 0.9967
    maxRel: 0.12, // measured 4.5%
  },
  {
    name: 'tower DynamicQuantizeMatMul + projector q8 b32',
    options: {
      dtype: 'q8',
      modules: {
        visionTower: { kernel: 'DynamicQuantizeMatMul' },
        projector: { kernel: 'MatMulNBits', bits: 8, blockSize: 32 },
      },
    },
    ops: ['DynamicQuantizeMatMul', 'MatMulNBits'],
    minCosine: 0.9997, // measured min 0.99993
    maxRel: 0.03, // measured 0.95%
  },
];

function compare(reference: Float32Array, test: Float32Array, width: number) {
  let maxAbs = 0;
  let sumAbs = 0;
  let largest = 0;
  let minCos = 1;
  let sumCos = 0;
  const rows = reference.length / width;
  for (let r = 0; r < rows; r++) {
    let dot = 0;
    let na = 0;
    let nb = 0;
    for (let i = r * width; i < (r + 1) * width; i++) {
      const a = reference[i]!;
      const b = test[i]!;
      dot += a * b;
      na += a * a;
      nb += b * b;
      maxAbs = Math.max(maxAbs, Math.abs(a - b));
      sumAbs += Math.abs(a - b);
      largest = Math.max(largest, Math.abs(a));
    }
    const c = dot / Math.sqrt(na * nb);
    minCos = Math.min(minCos, c);
    sumCos += c;
  }
  return {
    maxAbs,
    meanAbs: sumAbs / reference.length,
    rel: maxAbs / largest,
    minCos,
    meanCos: sumCos / rows,
  };
}

beforeAll(async () => {
  golden = await openGolden();
  config = await loadMultimodalConfig(TINY_VLM);
  for (const c of forwardCases(manifest)) {
    images.push({
      pixels: {
        data: await golden.readFloat32(c.tensors.pixel_values),
        dims: golden.info(c.tensors.pixel_values).shape,
      },
      features: await golden.readFloat32(c.tensors.image_features),
    });
  }
});

afterAll(async () => {
  await golden.close();
  await rm(cacheDir, { recursive: true, force: true });
});

const measured: Record<string, string> = {};

describe('quantized vision tower and projector (tiny-vlm) against the float32 reference', () => {
  it('fp32 through createVisionWeightOps is the plain float32 build (same cache entry, reference features)', async () => {
    const plain = await loadVisionEncoder(TINY_VLM, config, { cacheDir });
    const fp32 = await loadVisionEncoder(TINY_VLM, config, {
      cacheDir,
      weightOps: createVisionWeightOps({ dtype: 'fp32' }),
    });
    expect(fp32.cacheHit).toBe(true);
    expect(fp32.modelPath).toBe(plain.modelPath);
    for (const image of images) {
      const out = await fp32.encoder.run(image.pixels);
      expect(maxAbsDiff(out.imageFeatures, image.features)).toBeLessThanOrEqual(tol);
    }
    await plain.encoder.release();
    await fp32.encoder.release();
  });

  it.each(VARIANTS)('$name', async ({ name, options, ops, minCosine, maxRel }) => {
    const weightOps = createVisionWeightOps(options);
    const loaded = await loadVisionEncoder(TINY_VLM, config, { cacheDir, weightOps, imageCacheSize: 0 });
    try {
      expect(loaded.cacheHit).toBe(false); // its own cache entry
      const model = await readFile(loaded.modelPath);
      for (const op of ops) expect(model.includes(op)).toBe(true);
      const width = config.text_config.hidden_size;
      const got: Float32Array[] = [];
      for (const image of images) got.push((await loaded.encoder.run(image.pixels)).imageFeatures);
      const all = (xs: Float32Array[]) => {
        const out = new Float32Array(xs.reduce((n, x) => n + x.length, 0));
        let o = 0;
        for (const x of xs) {
          out.set(x, o);
          o += x.length;
        }
        return out;
      };
      const r = compare(all(images.map((i) => i.features)), all(got), width);
      measured[name] =
        `cos mean ${r.meanCos.toFixed(5)} min ${r.minCos.toFixed(5)}, max abs ${r.maxAbs.toExponential(2)} ` +
        `(${(100 * r.rel).toFixed(2)}% of max |feature|), mean abs ${r.meanAbs.toExponential(2)}`;
      expect(r.maxAbs).toBeGreaterThan(10 * tol); // the quantized graph ran
      expect(r.minCos).toBeGreaterThanOrEqual(minCosine);
      expect(r.rel).toBeLessThanOrEqual(maxRel);
    } finally {
      await loaded.encoder.release();
    }
  });

  it('reports the measured errors', () => {
    console.log('[quantized vision] tiny-vlm image features vs reference', measured);
    expect(Object.keys(measured).length).toBe(VARIANTS.length);
  });
});

describe('Gemma3ForConditionalGeneration with a quantized vision tower', () => {
  it('takes the vision ops from weightOps.vision or visionWeightOps; the variants get their own builds', async () => {
    const q8 = createVisionWeightOps({ dtype: 'q8' });
    const viaWeightOps = await Gemma3ForConditionalGeneration.fromPretrained(TINY_VLM, {
      cacheDir,
      progress: false,
      weightOps: { ...createQuantizedWeightOps({ dtype: 'q8' }), vision: q8 },
    });
    const viaOption = await Gemma3ForConditionalGeneration.fromPretrained(TINY_VLM, {
      cacheDir,
      progress: false,
      weightOps: createQuantizedWeightOps({ dtype: 'q8' }),
      visionWeightOps: createVisionWeightOps({ dtype: 'q8', modules: { visionTower: 'fp32' } }),
    });
    try {
      expect(viaOption.details.visionPath).not.toBe(viaWeightOps.details.visionPath);
      const encoder = await loadVisionEncoder(TINY_VLM, config, { cacheDir, weightOps: q8 });
      expect(encoder.modelPath).toBe(viaWeightOps.details.visionPath);
      expect(encoder.cacheHit).toBe(true);
      await encoder.encoder.release();
      const image = images[0]!;
      const quantized = await viaWeightOps.getImageFeatures(image.pixels);
      const float = await viaOption.getImageFeatures(image.pixels);
      expect(maxAbsDiff(float, image.features)).toBeLessThanOrEqual(tol);
      expect(maxAbsDiff(quantized, image.features)).toBeGreaterThan(10 * tol);
    } finally {
      await viaWeightOps.dispose();
      await viaOption.dispose();
    }
  });
});
