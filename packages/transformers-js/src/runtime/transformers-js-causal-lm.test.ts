import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkpointDir, loadManifest, maxAbsDiff, maxAbsDiffMasked, readGolden } from '@gemma3/test-utils';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ExportLayoutError } from '../errors/export-layout-error.js';
import { ExportOptionsError } from '../errors/export-options-error.js';
import { exportTransformersJs } from '../export/export-transformers-js.js';
import { isTransformersJsFolder } from './read-export.js';
import { TransformersJsCausalLM } from './transformers-js-causal-lm.js';

/**
 * Our runtime on an exported folder (the transformers.js layout, cache fed back as past): the
 * reference logits within the manifest's 1e-4 and its greedy sequences through `generate()`.
 */
const root = await mkdtemp(join(tmpdir(), 'gemma3-tjs-loader-'));
afterAll(() => rm(root, { recursive: true, force: true }));

describe('TransformersJsCausalLM on our fp32 export of tiny-text', () => {
  const manifest = loadManifest('tiny-text');
  const tol = manifest.tolerance.logits_max_abs;
  const out = join(root, 'tiny-text');
  let model: TransformersJsCausalLM;
  beforeAll(async () => {
    await exportTransformersJs(checkpointDir(manifest), out, { dtype: 'fp32', progress: false });
    model = await TransformersJsCausalLM.fromFolder(out, { session: { intraOpThreads: 1 } });
  });
  afterAll(() => model?.dispose());

  test('the folder is detected as a transformers.js export; the checkpoint is not', async () => {
    expect(await isTransformersJsFolder(out)).toBe(true);
    expect(await isTransformersJsFolder(checkpointDir(manifest))).toBe(false);
  });

  for (const c of manifest.cases.filter((k) => k.kind === 'forward')) {
    test(`${c.name}: logits equal the reference within ${tol}; greedy generate() gives its sequences`, async () => {
      const golden = await readGolden(manifest, c.tensors.logits!);
      const { logits } = await model.forward({
        inputIds: c.input_ids,
        attentionMask: c.attention_mask,
      });
      expect(logits.dims).toEqual(golden.shape);
      const err = maxAbsDiffMasked(
        logits.data as Float32Array,
        golden.data,
        c.attention_mask,
        golden.shape[2]!,
      );
      console.log(`[loader] tiny-text ${c.name} logits max abs ${err.toExponential(3)}`);
      expect(err).toBeLessThanOrEqual(tol);
      const greedy = c.greedy!;
      const result = await model.generate({
        inputIds: c.input_ids,
        attentionMask: c.attention_mask,
        maxNewTokens: greedy.max_new_tokens,
        doSample: false,
        eosTokenId: greedy.eos_token_id,
        padTokenId: greedy.pad_token_id,
      });
      expect(result.sequences).toEqual(greedy.sequences);
    });
  }

  test('cached decode steps give the reference step logits', async () => {
    const c = manifest.cases.find((k) => k.kind === 'cached_decode')!;
    const golden = await readGolden(manifest, c.tensors.step_logits!);
    const v = golden.shape[2]!;
    let step = await model.forward({
      inputIds: c.prefill!.input_ids,
      attentionMask: c.prefill!.attention_mask,
      logits: 'last',
    });
    let worst = 0;
    for (const [i, s] of c.steps!.entries()) {
      step = await model.forward({
        inputIds: s.input_ids,
        attentionMask: s.attention_mask,
        positionIds: s.position_ids,
        past: step.cache,
        logits: 'last',
      });
      expect(step.cache.length).toBe(s.attention_mask[0]!.length);
      worst = Math.max(
        worst,
        maxAbsDiff(step.logits.data as Float32Array, golden.data.subarray(i * v, (i + 1) * v)),
      );
    }
    console.log(`[loader] tiny-text cached decode max abs ${worst.toExponential(3)}`);
    expect(worst).toBeLessThanOrEqual(tol);
  });
});

describe('TransformersJsCausalLM: the text part of a multimodal export (embed_tokens + decoder)', () => {
  test('text-only prompt on tiny-vlm: our loader equals transformers.js-layout logits of the reference', async () => {
    const manifest = loadManifest('tiny-vlm');
    const out = join(root, 'tiny-vlm-text');
    await exportTransformersJs(checkpointDir(manifest), out, {
      dtype: 'fp32',
      textOnly: true,
      progress: false,
    });
    const model = await TransformersJsCausalLM.fromFolder(out);
    try {
      // No image tokens: the causal-only and bidirectional references agree on the first 6 positions
      // (before the image); compare there.
      const c = manifest.cases.find((k) => k.name === 'one_image')!;
      const golden = await readGolden(manifest, c.tensors.logits!);
      const prefix = c.input_ids[0]!.slice(0, 5);
      const { logits } = await model.forward({ inputIds: [prefix] });
      const v = golden.shape[2]!;
      const err = maxAbsDiff(logits.data as Float32Array, golden.data.subarray(0, 5 * v));
      console.log(`[loader] tiny-vlm text prefix logits max abs ${err.toExponential(3)}`);
      expect(err).toBeLessThanOrEqual(manifest.tolerance.logits_max_abs);
    } finally {
      await model.dispose();
    }
  });
});

describe('TransformersJsCausalLM errors', () => {
  test('a folder without config.json, a missing dtype export and an unknown dtype are typed errors', async () => {
    await expect(TransformersJsCausalLM.fromFolder(join(root, 'nope'))).rejects.toThrow(ExportLayoutError);
    const out = join(root, 'tiny-text-errors');
    await exportTransformersJs(checkpointDir(loadManifest('tiny-text')), out, {
      dtype: 'fp32',
      progress: false,
    });
    const missing = await TransformersJsCausalLM.fromFolder(out, { dtype: 'q4' }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ExportLayoutError);
    expect((missing as ExportLayoutError).file).toBe('onnx/model_q4.onnx');
    await expect(
      TransformersJsCausalLM.fromFolder(out, { dtype: 'int3' as unknown as 'q4' }),
    ).rejects.toThrow(ExportOptionsError);
    await writeFile(join(out, 'onnx', 'model_q4.onnx'), 'not a model');
    expect(await isTransformersJsFolder(out)).toBe(true);
  });
});
