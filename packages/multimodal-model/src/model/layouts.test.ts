import { copyFile, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { openCheckpoint, openSafetensors, type SafetensorsFile, writeSafetensors } from '@gemma3/weights';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VISION_PREFIXES, visionTensorNames } from '../checkpoint/vision-weights.js';
import { ImageTokenCountError } from '../errors/image-token-count-error.js';
import { MultimodalInputError } from '../errors/multimodal-input-error.js';
import { VisionCheckpointError } from '../errors/vision-checkpoint-error.js';
import {
  type ForwardCase,
  forwardCases,
  loadManifest,
  maxAbsDiffMasked,
  openGolden,
  pixelValuesOf,
  TINY_VLM,
  TINY_VLM_CURRENT,
  tempCacheDir,
} from '../test-utils/fixtures.js';
import { Gemma3ForConditionalGeneration } from './gemma3-for-conditional-generation.js';
import { Gemma3Model } from './gemma3-model.js';

const manifest = loadManifest();
const tol = manifest.tolerance.logits_max_abs;
const oneImage = forwardCases(manifest).find((c) => c.name === 'one_image')!;
const cacheDir = tempCacheDir();
/** transformers 5.x `save_pretrained` layout: `vision_tower.` without `vision_model.`. */
const v5Dir = join(cacheDir, 'tiny-vlm-v5-layout');
let golden: SafetensorsFile;

async function writeV5Layout(): Promise<void> {
  await mkdir(v5Dir, { recursive: true });
  for (const f of ['config.json', 'generation_config.json'])
    await copyFile(join(TINY_VLM, f), join(v5Dir, f));
  const source = await openSafetensors(join(TINY_VLM, 'model.safetensors'));
  try {
    const tensors = [];
    for (const name of source.names()) {
      const raw = await source.read(name);
      tensors.push({
        name: name.replace('vision_tower.vision_model.', 'vision_tower.'),
        dtype: raw.dtype,
        shape: raw.shape,
        data: raw.bytes,
      });
    }
    await writeSafetensors(join(v5Dir, 'model.safetensors'), tensors);
  } finally {
    await source.close();
  }
}

async function oneImageLogits(dir: string): Promise<number> {
  const model = await Gemma3ForConditionalGeneration.fromPretrained(dir, { cacheDir, progress: false });
  try {
    const out = await model.forward({
      inputIds: oneImage.input_ids,
      pixelValues: await pixels(oneImage),
    });
    return maxAbsDiffMasked(
      out.logits.data as Float32Array,
      await golden.readFloat32(oneImage.tensors.logits),
      oneImage.attention_mask,
      model.vocabSize,
    );
  } finally {
    await model.dispose();
  }
}

const pixels = (c: ForwardCase) => pixelValuesOf(golden, c);

beforeAll(async () => {
  golden = await openGolden();
  await writeV5Layout();
});

afterAll(async () => {
  await golden.close();
  await rm(cacheDir, { recursive: true, force: true });
});

describe('tensor name layouts', () => {
  it('finds the vision tower under each layout', async () => {
    const expected: [string, string][] = [
      [TINY_VLM, 'vision_tower.vision_model.'],
      [TINY_VLM_CURRENT, 'model.vision_tower.vision_model.'],
      [v5Dir, 'vision_tower.'],
    ];
    for (const [dir, prefix] of expected) {
      const checkpoint = await openCheckpoint(dir);
      try {
        expect(visionTensorNames(checkpoint).visionPrefix).toBe(prefix);
      } finally {
        await checkpoint.close();
      }
    }
    expect(VISION_PREFIXES).toContain('vision_tower.');
  });

  for (const [label, dir] of [
    ['current (4.5x: model.language_model.*)', () => TINY_VLM_CURRENT],
    ['5.x save_pretrained (vision_tower.embeddings.*)', () => v5Dir],
  ] as const) {
    it(`loads the ${label} layout to the same logits`, async () => {
      expect(await oneImageLogits(dir())).toBeLessThanOrEqual(tol);
    });
  }

  it('names the missing vision tower of a text-only checkpoint', async () => {
    const checkpoint = await openCheckpoint(join(TINY_VLM, '../tiny-text'));
    try {
      expect(() => visionTensorNames(checkpoint)).toThrow(VisionCheckpointError);
    } finally {
      await checkpoint.close();
    }
  });
});

describe('Gemma3Model (hidden states)', () => {
  it('hidden states times the tied embedding give the reference logits', async () => {
    const model = await Gemma3Model.fromPretrained(TINY_VLM, { cacheDir, progress: false });
    const checkpoint = await openCheckpoint(TINY_VLM);
    try {
      const out = await model.forward({
        inputIds: oneImage.input_ids,
        tokenTypeIds: oneImage.token_type_ids,
        pixelValues: await pixels(oneImage),
      });
      const h = model.config.text_config.hidden_size;
      const v = model.config.text_config.vocab_size;
      const [b, t] = out.lastHiddenState.dims as [number, number, number];
      expect(out.lastHiddenState.dims).toEqual([1, oneImage.input_ids[0]!.length, h]);
      const hidden = out.lastHiddenState.data as Float32Array;
      const embed = await checkpoint.readFloat32('language_model.model.embed_tokens.weight'); // [V, H]
      const logits = new Float32Array(b * t * v);
      for (let p = 0; p < b * t; p++) {
        for (let j = 0; j < v; j++) {
          let sum = 0;
          for (let k = 0; k < h; k++) sum += hidden[p * h + k]! * embed[j * h + k]!;
          logits[p * v + j] = sum;
        }
      }
      const err = maxAbsDiffMasked(
        logits,
        await golden.readFloat32(oneImage.tensors.logits),
        oneImage.attention_mask,
        v,
      );
      expect(err).toBeLessThanOrEqual(tol);
    } finally {
      await checkpoint.close();
      await model.dispose();
    }
  });
});

describe('input errors', () => {
  let model: Gemma3ForConditionalGeneration;
  beforeAll(async () => {
    model = await Gemma3ForConditionalGeneration.fromPretrained(TINY_VLM, { cacheDir, progress: false });
  });
  afterAll(() => model.dispose());

  it('rejects image tokens that do not match images x mm_tokens_per_image', async () => {
    const twoImages = await pixels(forwardCases(manifest).find((c) => c.name === 'two_images')!);
    await expect(
      model.forward({ inputIds: oneImage.input_ids, pixelValues: twoImages }),
    ).rejects.toBeInstanceOf(ImageTokenCountError);
    await expect(model.forward({ inputIds: oneImage.input_ids })).rejects.toThrow(
      /4 image tokens, but 0 image/,
    );
    const extraToken = [[...oneImage.input_ids[0]!, 512]];
    await expect(
      model.forward({ inputIds: extraToken, pixelValues: await pixels(oneImage) }),
    ).rejects.toThrow(/5 image tokens, but 1 image/);
  });

  it('rejects ids outside the vocabulary, bad token type ids and ragged rows', async () => {
    await expect(model.forward({ inputIds: [[2, 513]] })).rejects.toBeInstanceOf(MultimodalInputError);
    await expect(model.forward({ inputIds: [[2, 5]], tokenTypeIds: [[0, 2]] })).rejects.toThrow(
      /tokenTypeIds/,
    );
    await expect(model.forward({ inputIds: [[2, 5], [2]] })).rejects.toThrow(/row 1 has 1 entries/);
    await expect(model.forward({ inputIds: [[2, 5]], tokenTypeIds: [[0]] })).rejects.toThrow(
      /shape \[1, 1\]/,
    );
  });

  it('left-pads ragged rows in generate() and keeps the image tokens in the returned sequences', async () => {
    const batch = forwardCases(manifest).find((c) => c.name === 'batch')!;
    const rows = batch.input_ids.map((row, r) => row.filter((_, t) => batch.attention_mask[r]![t] === 1));
    const result = await model.generate({
      inputIds: rows,
      pixelValues: await pixels(batch),
      maxNewTokens: batch.greedy.max_new_tokens,
      doSample: false,
      padTokenId: 0,
    });
    expect(result.sequences).toEqual(batch.greedy.sequences);
  });
});
