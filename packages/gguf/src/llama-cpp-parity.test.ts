import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRandomCheckpoint } from '@gemma3/random-checkpoint';
import { Gemma3ForCausalLM } from '@gemma3/text-model';
import { Tokenizer } from '@gemma3/tokenizer';
import type { Llama, LlamaModel, Token } from 'node-llama-cpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convertToGguf } from './convert-gemma3.js';
import { type GgufVocab, loadGemma3Vocab } from './gemma3-vocab.js';
import { readGgufHeader } from './read-gguf.js';
import { loadLlama } from './test-utils/load-llama.js';

// The `tiny-text` random checkpoint (real 262k vocabulary, 7 layers, sliding window 16, layer 5 full)
// converted to GGUF and run by llama.cpp (node-llama-cpp 3.21.1's prebuilt CPU binary), against our
// ONNX decoder (@gemma3/text-model, fp32) on the same weights.
const loaded = await loadLlama();
const llama: Llama | undefined = 'llama' in loaded ? loaded.llama : undefined;
if (!llama) console.warn(`skipping llama.cpp parity tests: ${(loaded as { reason: string }).reason}`);

let dir: string;
let checkpoint: string;
let onnx: Gemma3ForCausalLM;
let vocab: GgufVocab;
const models: LlamaModel[] = [];

// 30 tokens: longer than the sliding window (16), so the windowed layers are exercised.
const PROMPT = [2, ...Array.from({ length: 29 }, (_, i) => 100 + ((i * 7919) % 200_000))];

beforeAll(async () => {
  if (!llama) return;
  dir = await mkdtemp(join(tmpdir(), 'gguf-parity-'));
  checkpoint = join(dir, 'tiny-text');
  await createRandomCheckpoint({ preset: 'tiny-text', outDir: checkpoint, seed: 11 });
  vocab = await loadGemma3Vocab(checkpoint, 262144);
  onnx = await Gemma3ForCausalLM.fromPretrained(checkpoint, {
    cacheDir: join(dir, 'cache'),
    progress: false,
  });
}, 120_000);

afterAll(async () => {
  for (const model of models) await model.dispose();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function load(type: 'F32' | 'Q8_0' | 'Q4_0'): Promise<LlamaModel> {
  const path = join(dir, `tiny-${type}.gguf`);
  await convertToGguf(checkpoint, path, { type, vocab });
  const model = await (llama as Llama).loadModel({ modelPath: path });
  models.push(model);
  return model;
}

async function onnxLastLogits(ids: number[]): Promise<Float32Array> {
  const { logits } = await onnx.forward({ inputIds: [ids], logits: 'last' });
  const data = logits.data as Float32Array;
  return data.subarray(data.length - onnx.vocabSize);
}

describe.skipIf(!llama)('llama.cpp on the converted tiny-text checkpoint', () => {
  it('F32: greedy ids equal ours for 8 tokens and log-probability gaps match to 2e-3', async () => {
    const model = await load('F32');
    const context = await model.createContext({ contextSize: 128, threads: 2 });
    try {
      const sequence = context.getSequence();
      const logits = await onnxLastLogits(PROMPT);
      const ours: number[] = [];
      const { sequences } = await onnx.generate({ inputIds: [PROMPT], maxNewTokens: 8, doSample: false });
      ours.push(...(sequences[0] as number[]).slice(PROMPT.length));

      let gaps: [number, number][] = [];
      for await (const step of sequence.evaluateWithMetadata(
        PROMPT as Token[],
        { probabilities: true },
        { temperature: 1, topK: 10, topP: 1, yieldEogToken: true },
      )) {
        // log p_i - log p_top is the logit gap, whatever llama.cpp's top-k renormalization did
        const entries = [...step.probabilities.entries()];
        const [top, pTop] = entries[0] as [Token, number];
        gaps = entries.map(([t, p]) => [Math.log(p / pTop), (logits[t] as number) - (logits[top] as number)]);
        expect(top).toBe(ours[0]);
        break;
      }
      expect(gaps.length).toBe(10);
      // fp32 weights both sides; llama.cpp keeps the KV cache in f16: gaps observed ~4e-4
      for (const [llamaGap, onnxGap] of gaps) expect(Math.abs(llamaGap - onnxGap)).toBeLessThan(2e-3);
      const greedy: number[] = [];
      await sequence.clearHistory();
      for await (const token of sequence.evaluate(PROMPT as Token[], {
        temperature: 0,
        yieldEogToken: true,
      })) {
        greedy.push(token);
        if (greedy.length >= 8) break;
      }
      expect(greedy).toEqual(ours);
    } finally {
      await context.dispose();
    }
  }, 60_000);

  it('tokenizes like our tokenizer (same ids as Hugging Face tokenizers)', async () => {
    const model = models[0] ?? (await load('F32'));
    const tokenizer = await Tokenizer.fromPretrained(checkpoint);
    for (const text of [
      'Hello world, this is a test.',
      '  two  spaces\nand a newline',
      'naïve café 東京 🙂',
      'x<start_of_turn>user',
    ]) {
      const ours = tokenizer.encode(text, { addSpecialTokens: false });
      expect([...model.tokenize(text, true)]).toEqual([...ours]);
    }
  }, 30_000);

  it('Q8_0 and Q4_0 files load, name their types and stay close to fp32 on the first token', async () => {
    const logits = await onnxLastLogits(PROMPT);
    for (const type of ['Q8_0', 'Q4_0'] as const) {
      const model = await load(type);
      const header = await readGgufHeader(join(dir, `tiny-${type}.gguf`));
      const types = new Map(header.tensors.map((t) => [t.name, t.type]));
      expect(types.get('blk.0.attn_q.weight')).toBe(type);
      expect(types.get('token_embd.weight')).toBe('Q8_0'); // Q4_0 files keep the tied head at Q8_0
      expect(types.get('blk.0.attn_norm.weight')).toBe('F32');
      const context = await model.createContext({ contextSize: 128, threads: 2 });
      try {
        const sequence = context.getSequence();
        for await (const step of sequence.evaluateWithMetadata(
          PROMPT as Token[],
          { probabilities: true },
          { temperature: 1, topK: 10, topP: 1, yieldEogToken: true },
        )) {
          const [top, pTop] = [...step.probabilities.entries()][0] as [Token, number];
          const [, p2] = [...step.probabilities.entries()][1] as [Token, number];
          // llama.cpp's top token is within the quantization error of our fp32 maximum
          let max = Number.NEGATIVE_INFINITY;
          for (const v of logits) max = Math.max(max, v);
          expect(max - (logits[top] as number)).toBeLessThan(type === 'Q8_0' ? 0.02 : 0.1);
          expect(pTop).toBeGreaterThanOrEqual(p2);
          break;
        }
      } finally {
        await context.dispose();
      }
    }
  }, 60_000);
});
