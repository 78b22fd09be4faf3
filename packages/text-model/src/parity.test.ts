import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Gemma3ForCausalLM } from './gemma3-for-causal-lm.js';
import { Gemma3TextModel } from './gemma3-text-model.js';
import { loadManifest, maxAbsDiffMasked, REPO_ROOT, readGolden } from './test-utils/golden.js';

/**
 * Parity with the Hugging Face reference (transformers 5.18, float32, eager attention) on the tiny
 * fixtures. Tolerance from each manifest: 1e-4 max abs on logits and hidden states (float32 on the
 * same weights; only summation order differs). Measured values are printed (`[parity]` lines).
 */
const cacheDir = await mkdtemp(join(tmpdir(), 'gemma3-parity-'));
afterAll(() => rm(cacheDir, { recursive: true, force: true }));

for (const fixture of ['tiny-text', 'tiny-text-scaled']) {
  describe(`parity: ${fixture}`, () => {
    const manifest = loadManifest(fixture);
    const tol = manifest.tolerance.logits_max_abs;
    let model: Gemma3ForCausalLM;
    beforeAll(async () => {
      model = await Gemma3ForCausalLM.fromPretrained(join(REPO_ROOT, manifest.checkpoint), {
        cacheDir,
        progress: false,
      });
    });
    afterAll(() => model.dispose());
    const vocab = () => model.config.vocab_size;

    for (const c of manifest.cases.filter((k) => k.kind === 'forward')) {
      test(`${c.name}: full-sequence logits within ${tol}`, async () => {
        const golden = await readGolden(manifest, c.tensors.logits!);
        const { logits } = await model.forward({
          inputIds: c.input_ids,
          attentionMask: c.attention_mask,
          positionIds: c.position_ids,
        });
        expect(logits.dims).toEqual(golden.shape);
        const err = maxAbsDiffMasked(logits.data as Float32Array, golden.data, c.attention_mask, vocab());
        console.log(`[parity] ${fixture} ${c.name} logits max abs ${err.toExponential(3)}`);
        expect(err).toBeLessThanOrEqual(tol);
      });

      test(`${c.name}: default position ids and last-position logits agree with the reference`, async () => {
        const golden = await readGolden(manifest, c.tensors.logits!);
        const { logits } = await model.forward({
          inputIds: c.input_ids,
          attentionMask: c.attention_mask,
          logits: 'last',
        });
        const t = c.input_ids[0]!.length;
        const v = vocab();
        expect(logits.dims).toEqual([c.input_ids.length, 1, v]);
        const lastRows = new Float32Array(c.input_ids.length * v);
        for (let b = 0; b < c.input_ids.length; b++) {
          lastRows.set(golden.data.subarray((b * t + t - 1) * v, (b * t + t) * v), b * v);
        }
        const err = maxAbsDiffMasked(
          logits.data as Float32Array,
          lastRows,
          c.input_ids.map(() => [1]),
          v,
        );
        expect(err).toBeLessThanOrEqual(tol);
      });

      test(`${c.name}: greedy generation gives the reference's sequences`, async () => {
        const greedy = c.greedy!;
        const prompt = c.input_ids;
        const result = await model.generate({
          inputIds: prompt,
          attentionMask: c.attention_mask,
          maxNewTokens: greedy.max_new_tokens,
          doSample: false,
          eosTokenId: greedy.eos_token_id,
          padTokenId: greedy.pad_token_id,
        });
        expect(result.sequences).toEqual(greedy.sequences);
      });

      test(`${c.name}: greedy generation with a static cache gives the same sequences`, async () => {
        const greedy = c.greedy!;
        const result = await model.generate({
          inputIds: c.input_ids,
          attentionMask: c.attention_mask,
          maxNewTokens: greedy.max_new_tokens,
          doSample: false,
          eosTokenId: greedy.eos_token_id,
          padTokenId: greedy.pad_token_id,
          cache: 'static',
        });
        expect(result.sequences).toEqual(greedy.sequences);
      });
    }

    test('decode: cached single-token steps match the reference step logits and a full forward', async () => {
      const c = manifest.cases.find((k) => k.kind === 'cached_decode')!;
      const golden = await readGolden(manifest, c.tensors.step_logits!);
      const v = vocab();
      let { pastKeyValues } = await model.forward({
        inputIds: c.prefill!.input_ids,
        attentionMask: c.prefill!.attention_mask,
        logits: 'last',
      });
      const stepLogits: Float32Array[] = [];
      for (const s of c.steps!) {
        const out = await model.forward({
          inputIds: s.input_ids,
          attentionMask: s.attention_mask,
          positionIds: s.position_ids,
          pastKeyValues,
        });
        pastKeyValues = out.pastKeyValues;
        stepLogits.push(out.logits.data as Float32Array);
      }
      const ours = new Float32Array(stepLogits.length * v);
      for (const [i, l] of stepLogits.entries()) ours.set(l, i * v);
      const err = maxAbsDiffMasked(ours, golden.data, [stepLogits.map(() => 1)], v);
      console.log(`[parity] ${fixture} decode step logits max abs ${err.toExponential(3)}`);
      expect(err).toBeLessThanOrEqual(tol);

      // Our own cached steps against our own full forward over the whole sequence.
      const full = await model.forward({ inputIds: c.full_sequence_input_ids! });
      const t = c.full_sequence_input_ids![0]!.length;
      const fullData = full.logits.data as Float32Array;
      const tail = fullData.subarray((t - stepLogits.length) * v, t * v);
      const selfErr = maxAbsDiffMasked(ours, tail, [stepLogits.map(() => 1)], v);
      console.log(`[parity] ${fixture} cached vs full forward max abs ${selfErr.toExponential(3)}`);
      expect(selfErr).toBeLessThanOrEqual(tol);
    });

    test('left-padded batch decoded step by step matches each row run alone', async () => {
      const c = manifest.cases.find((k) => k.name === 'batch')!;
      const greedy = c.greedy!;
      // Row 1 alone, without its padding, must give the same new tokens as in the padded batch.
      const pads = c.attention_mask[1]!.filter((m) => m === 0).length;
      const alone = await model.generate({
        inputIds: [c.input_ids[1]!.slice(pads)],
        maxNewTokens: greedy.max_new_tokens,
        doSample: false,
        eosTokenId: greedy.eos_token_id,
        padTokenId: greedy.pad_token_id,
      });
      expect(alone.sequences[0]).toEqual(greedy.sequences[1]!.slice(pads));
    });
  });
}

describe('parity: Gemma3TextModel hidden states', () => {
  test('long: last_hidden_state within tolerance', async () => {
    const manifest = loadManifest('tiny-text');
    const c = manifest.cases.find((k) => k.name === 'long')!;
    const golden = await readGolden(manifest, c.tensors.last_hidden_state!);
    const model = await Gemma3TextModel.fromPretrained(join(REPO_ROOT, manifest.checkpoint), {
      cacheDir,
      progress: false,
    });
    try {
      const { lastHiddenState } = await model.forward({ inputIds: c.input_ids });
      expect(lastHiddenState.dims).toEqual(golden.shape);
      const err = maxAbsDiffMasked(
        lastHiddenState.data as Float32Array,
        golden.data,
        c.attention_mask,
        model.config.hidden_size,
      );
      console.log(`[parity] tiny-text long last_hidden_state max abs ${err.toExponential(3)}`);
      expect(err).toBeLessThanOrEqual(manifest.tolerance.last_hidden_state_max_abs);
    } finally {
      await model.dispose();
    }
  });
});
