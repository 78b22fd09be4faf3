import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRandomCheckpoint } from '@gemma3/random-checkpoint';
import { Tokenizer } from '@gemma3/tokenizer';
import { env, pipeline } from '@huggingface/transformers';
import { afterAll, expect, test } from 'vitest';
import { exportTransformersJs } from './export/export-transformers-js.js';
import { TransformersJsCausalLM } from './runtime/transformers-js-causal-lm.js';

/**
 * With a real tokenizer (the random tiny-text checkpoint of @gemma3/random-checkpoint carries the real
 * 262k Gemma 3 tokenizer and chat template): transformers.js's own `pipeline('text-generation')` runs
 * on the exported folder (tokenizer files copied), and its greedy answer to a chat message is the one
 * our tokenizer + our loader give for the same rendered prompt.
 */
env.allowRemoteModels = false;
const root = await mkdtemp(join(tmpdir(), 'gemma3-tjs-tokenizer-'));
afterAll(() => rm(root, { recursive: true, force: true }));

test("transformers.js pipeline('text-generation') answers a chat message like our loader does", {
  timeout: 60_000,
}, async () => {
  const checkpoint = join(root, 'tiny-text');
  await createRandomCheckpoint({ preset: 'tiny-text', outDir: checkpoint, seed: 0 });
  const out = join(root, 'tiny-text-tjs');
  const result = await exportTransformersJs(checkpoint, out, { dtype: 'fp32', progress: false });
  expect(result.copied).toEqual(expect.arrayContaining(['tokenizer.json', 'tokenizer_config.json']));

  const messages = [{ role: 'user', content: 'The capital of France is' }];
  const generator = await pipeline('text-generation', out, { dtype: 'fp32', local_files_only: true });
  const theirs = (await generator(messages, { max_new_tokens: 8, do_sample: false })) as {
    generated_text: { role: string; content: string }[];
  }[];
  await generator.dispose();

  const tokenizer = await Tokenizer.fromPretrained(out);
  const ids = tokenizer.applyChatTemplate(messages, { addGenerationPrompt: true, tokenize: true });
  const model = await TransformersJsCausalLM.fromFolder(out);
  try {
    const ours = await model.generate({ inputIds: [ids], maxNewTokens: 8, doSample: false });
    const answer = theirs[0]!.generated_text.at(-1)!;
    expect(answer.role).toBe('assistant');
    expect(answer.content).toBe(tokenizer.decode(ours.newTokens[0]!, { skipSpecialTokens: true }));
    expect(ours.newTokens[0]).toHaveLength(8);
  } finally {
    await model.dispose();
  }
});
