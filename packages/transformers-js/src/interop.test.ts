import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkpointDir, loadManifest, maxAbsDiff, maxAbsDiffMasked, readGolden } from '@gemma3/test-utils';
import {
  AutoModelForCausalLM,
  env,
  Gemma3ForConditionalGeneration,
  type PreTrainedModel,
  Tensor,
} from '@huggingface/transformers';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { exportTransformersJs } from './export/export-transformers-js.js';

/**
 * The interop proof: transformers.js 4.3.2 itself loads our exports (local files only) and gives the
 * Hugging Face reference's logits (within the manifests' 1e-4: float32 against float32 on the same
 * weights) and greedy sequences. Measured errors are printed as `[interop]` lines.
 */
env.allowRemoteModels = false;
const root = await mkdtemp(join(tmpdir(), 'gemma3-tjs-interop-'));
afterAll(() => rm(root, { recursive: true, force: true }));

const int64 = (rows: readonly (readonly number[])[]) =>
  new Tensor(
    'int64',
    BigInt64Array.from(rows.flat(), (v) => BigInt(v)),
    [rows.length, rows[0]!.length],
  );
const toNumbers = (seqs: Tensor) => (seqs.tolist() as bigint[][]).map((row) => row.map(Number));

describe('transformers.js runs our fp32 export of tiny-text', () => {
  const manifest = loadManifest('tiny-text');
  const tol = manifest.tolerance.logits_max_abs;
  const out = join(root, 'tiny-text-fp32');
  let model: PreTrainedModel;
  beforeAll(async () => {
    await exportTransformersJs(checkpointDir(manifest), out, { dtype: 'fp32', progress: false });
    env.localModelPath = root;
    // By name under env.localModelPath, as a user of a local model folder would.
    model = await AutoModelForCausalLM.from_pretrained('tiny-text-fp32', {
      dtype: 'fp32',
      local_files_only: true,
    });
  });
  afterAll(() => model?.dispose());

  for (const c of manifest.cases.filter((k) => k.kind === 'forward')) {
    test(`${c.name}: logits equal the reference within ${tol}`, async () => {
      const golden = await readGolden(manifest, c.tensors.logits!);
      const { logits } = await model({
        input_ids: int64(c.input_ids),
        attention_mask: int64(c.attention_mask),
      });
      expect(logits.dims).toEqual(golden.shape);
      const err = maxAbsDiffMasked(
        logits.data as Float32Array,
        golden.data,
        c.attention_mask,
        golden.shape[2]!,
      );
      console.log(`[interop] transformers.js tiny-text ${c.name} logits max abs ${err.toExponential(3)}`);
      expect(err).toBeLessThanOrEqual(tol);
    });

    test(`${c.name}: greedy generation equals the reference's sequences`, async () => {
      const greedy = c.greedy!;
      const sequences = await model.generate({
        input_ids: int64(c.input_ids),
        attention_mask: int64(c.attention_mask),
        max_new_tokens: greedy.max_new_tokens,
        do_sample: false,
        eos_token_id: greedy.eos_token_id,
        pad_token_id: greedy.pad_token_id,
      });
      expect(toNumbers(sequences as Tensor)).toEqual(greedy.sequences);
    });
  }

  test('cached decode steps (past_key_values fed back) give the reference step logits', async () => {
    const c = manifest.cases.find((k) => k.kind === 'cached_decode')!;
    const golden = await readGolden(manifest, c.tensors.step_logits!); // [1, steps, V]
    const v = golden.shape[2]!;
    let out = await model({
      input_ids: int64(c.prefill!.input_ids),
      attention_mask: int64(c.prefill!.attention_mask),
    });
    let worst = 0;
    for (const [i, step] of c.steps!.entries()) {
      const past: Record<string, Tensor> = {};
      for (const [name, t] of Object.entries(out)) {
        if (name.startsWith('present.')) past[name.replace('present.', 'past_key_values.')] = t as Tensor;
      }
      out = await model({
        input_ids: int64(step.input_ids),
        attention_mask: int64(step.attention_mask),
        past_key_values: past,
      });
      const logits = out.logits as Tensor;
      expect(logits.dims).toEqual([1, 1, v]);
      worst = Math.max(
        worst,
        maxAbsDiff(logits.data as Float32Array, golden.data.subarray(i * v, (i + 1) * v)),
      );
    }
    console.log(`[interop] transformers.js tiny-text cached decode max abs ${worst.toExponential(3)}`);
    expect(worst).toBeLessThanOrEqual(tol);
  });
});

/**
 * Exports tiny-text as `dtype`, loads it in transformers.js and measures its logits on the 'long' case
 * against the fp32 reference (printed as an `[interop]` line). The caller disposes `model`.
 */
async function quantizedLongCase(dtype: 'q8' | 'q4') {
  const manifest = loadManifest('tiny-text');
  const out = join(root, `tiny-text-${dtype}`);
  const result = await exportTransformersJs(checkpointDir(manifest), out, { dtype, progress: false });
  const model = await AutoModelForCausalLM.from_pretrained(out, { dtype, local_files_only: true });
  const c = manifest.cases.find((k) => k.name === 'long')!;
  try {
    const golden = await readGolden(manifest, c.tensors.logits!);
    const { logits } = await model({
      input_ids: int64(c.input_ids),
      attention_mask: int64(c.attention_mask),
    });
    const err = maxAbsDiffMasked(
      logits.data as Float32Array,
      golden.data,
      c.attention_mask,
      golden.shape[2]!,
    );
    console.log(
      `[interop] transformers.js tiny-text ${dtype} long logits max abs vs fp32 reference ${err.toFixed(3)}`,
    );
    return { model, result, c, err };
  } catch (error) {
    await model.dispose();
    throw error;
  }
}

describe('transformers.js runs our q4 export of tiny-text', () => {
  test('loads (model_q4.onnx), and its logits stay near fp32 and generation runs', async () => {
    const { model, result, c, err } = await quantizedLongCase('q4');
    try {
      expect(result.graphs.map((g) => g.file)).toEqual(['onnx/model_q4.onnx']);
      // q4 b32 on this 64-wide random model: @gemma3/quantization measured 3.5 max abs (spread ~10).
      expect(err).toBeGreaterThan(1e-3); // quantized for real
      expect(err).toBeLessThan(7);
      const sequences = toNumbers(
        (await model.generate({
          input_ids: int64(c.input_ids),
          attention_mask: int64(c.attention_mask),
          max_new_tokens: 8,
          min_new_tokens: 8,
          do_sample: false,
        })) as Tensor,
      );
      expect(sequences[0]!.slice(0, 40)).toEqual(c.input_ids[0]);
      expect(sequences[0]!.length).toBe(48);
      for (const id of sequences[0]!) expect(id).toBeLessThan(512);
    } finally {
      await model.dispose();
    }
  });
});

describe('transformers.js runs our q8 export of tiny-text', () => {
  test('loads (model_quantized.onnx) and its logits stay near the reference', async () => {
    const { model, result, err } = await quantizedLongCase('q8');
    try {
      expect(result.graphs.map((g) => g.file)).toEqual(['onnx/model_quantized.onnx']);
      // q8 b32 on tiny-text: @gemma3/quantization measured 0.48 max abs (spread ~10).
      expect(err).toBeGreaterThan(1e-4);
      expect(err).toBeLessThan(1);
    } finally {
      await model.dispose();
    }
  });
});

describe('transformers.js runs our multimodal export of tiny-vlm', () => {
  const manifest = loadManifest('tiny-vlm');
  const tol = manifest.tolerance.logits_max_abs;
  const out = join(root, 'tiny-vlm-fp32');
  let model: PreTrainedModel;
  beforeAll(async () => {
    const result = await exportTransformersJs(checkpointDir(manifest), out, {
      dtype: 'fp32',
      progress: false,
    });
    expect(result.graphs.map((g) => g.session)).toEqual([
      'embed_tokens',
      'decoder_model_merged',
      'vision_encoder',
    ]);
    model = await Gemma3ForConditionalGeneration.from_pretrained(out, {
      dtype: 'fp32',
      local_files_only: true,
    });
  });
  afterAll(() => model?.dispose());

  const c = manifest.cases.find((k) => k.name === 'one_image')!;
  const pixels = async () => {
    const golden = await readGolden(manifest, c.tensors.pixel_values!);
    return new Tensor('float32', golden.data, [...golden.shape]);
  };

  test('vision_encoder gives the reference image features', async () => {
    const golden = await readGolden(manifest, c.tensors.image_features!);
    const features = await (model as unknown as { encode_image(i: object): Promise<Tensor> }).encode_image({
      pixel_values: await pixels(),
    });
    expect(features.dims).toEqual(golden.shape);
    const err = maxAbsDiff(features.data as Float32Array, golden.data);
    console.log(`[interop] transformers.js tiny-vlm image features max abs ${err.toExponential(3)}`);
    expect(err).toBeLessThanOrEqual(manifest.tolerance.image_features_max_abs ?? tol);
  });

  test("one image: logits equal the reference's causal-only logits (transformers.js has no image mask)", async () => {
    const causalOnly = await readGolden(manifest, 'one_image_causal_only.logits');
    const bidirectional = await readGolden(manifest, c.tensors.logits!);
    const { logits } = await model({
      input_ids: int64(c.input_ids),
      attention_mask: int64(c.attention_mask),
      pixel_values: await pixels(),
    });
    expect(logits.dims).toEqual(causalOnly.shape);
    const v = causalOnly.shape[2]!;
    const err = maxAbsDiffMasked(logits.data as Float32Array, causalOnly.data, c.attention_mask, v);
    const vsBidirectional = maxAbsDiffMasked(
      logits.data as Float32Array,
      bidirectional.data,
      c.attention_mask,
      v,
    );
    console.log(
      `[interop] transformers.js tiny-vlm one_image logits max abs ${err.toExponential(3)} vs causal-only reference, ${vsBidirectional.toFixed(3)} vs the bidirectional one`,
    );
    expect(err).toBeLessThanOrEqual(tol);
    expect(vsBidirectional).toBeGreaterThan(0.1); // the known difference, not ours: see the README
  });

  test('q4 export (quantized decoder and embed_tokens, float32 vision) answers with the image', async () => {
    const q4 = join(root, 'tiny-vlm-q4');
    await exportTransformersJs(checkpointDir(manifest), q4, { dtype: 'q4', progress: false });
    const quantized = await Gemma3ForConditionalGeneration.from_pretrained(q4, {
      dtype: 'q4',
      local_files_only: true,
    });
    try {
      const sequences = toNumbers(
        (await quantized.generate({
          input_ids: int64(c.input_ids),
          attention_mask: int64(c.attention_mask),
          pixel_values: await pixels(),
          max_new_tokens: 4,
          min_new_tokens: 4,
          do_sample: false,
        })) as Tensor,
      );
      expect(sequences[0]!.length).toBe(c.input_ids[0]!.length + 4);
    } finally {
      await quantized.dispose();
    }
  });

  test('answers: greedy generation with the image runs through the cache', async () => {
    const sequences = toNumbers(
      (await model.generate({
        input_ids: int64(c.input_ids),
        attention_mask: int64(c.attention_mask),
        pixel_values: await pixels(),
        max_new_tokens: 8,
        min_new_tokens: 8,
        do_sample: false,
      })) as Tensor,
    );
    expect(sequences[0]!.slice(0, c.input_ids[0]!.length)).toEqual(c.input_ids[0]);
    expect(sequences[0]!.length).toBe(c.input_ids[0]!.length + 8);
  });
});
