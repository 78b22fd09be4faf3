import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { GenerationOutput } from './gemma3-pipeline.js';
import { pipeline, type TextGenerationPipeline } from './pipeline.js';
import { createTinyModels, type TinyModels } from './test-utils/tiny-models.js';

// pipeline(): concurrent calls share one batch (`parallel`) and a conversation's next turn reuses the
// last one's KV state; both give what a call alone from scratch gives (fp32: exact reuse).

let models: TinyModels;
let batched: TextGenerationPipeline;
let plain: TextGenerationPipeline;

beforeAll(async () => {
  models = await createTinyModels(['tiny-text']);
  const common = { cacheDir: models.cacheDir, progress: false, dtype: 'fp32' as const };
  batched = await pipeline('text-generation', models.dir('tiny-text'), { ...common, parallel: 4 });
  plain = await pipeline('text-generation', models.dir('tiny-text'), { ...common, prefixCacheBytes: 0 });
}, 60_000);

afterAll(async () => {
  await batched?.dispose();
  await plain?.dispose();
  await models?.cleanup();
});

const greedy = { maxNewTokens: 12, temperature: 0 };

describe('pipeline continuous batching and prefix reuse (tiny-text, fp32)', { timeout: 60_000 }, () => {
  test('concurrent calls run as one batch and each equals the call alone', async () => {
    const prompts = [
      'Hello',
      'Why is the sky blue? Tell me in detail.',
      'One',
      'A longer prompt with more words in it',
    ];
    const alone: GenerationOutput[] = [];
    for (const p of prompts) alone.push(await plain(p, greedy));
    const steps = batched.batcher!.stats().decodeSteps;
    const together = await Promise.all(prompts.map((p) => batched(p, greedy)));
    together.forEach((out, i) => {
      expect(out.tokenIds, prompts[i]).toEqual(alone[i]!.tokenIds);
      expect(out.text).toBe(alone[i]!.text);
    });
    const stats = batched.batcher!.stats();
    // 4 calls of up to 12 tokens in far fewer steps than one after another
    expect(stats.decodeSteps - steps).toBeLessThan(4 * 11);
  });

  test('the next chat turn reuses the conversation: cachedTokens, same answer as from scratch', async () => {
    const turn1 = [{ role: 'user' as const, content: 'Tell me about the sea.' }];
    const first = await batched(turn1, greedy);
    const turn2 = [...first.messages!, { role: 'user' as const, content: 'And rivers?' }];
    const second = await batched(turn2, greedy);
    // at least turn 1's prompt (the random model's answer may re-tokenize differently from its ids)
    expect(second.usage.cachedTokens).toBeGreaterThanOrEqual(first.usage.promptTokens);
    const fresh = await plain(turn2, greedy);
    expect(fresh.usage.cachedTokens).toBe(0);
    expect(second.tokenIds).toEqual(fresh.tokenIds);
  });

  test('q8 (int8 activations per row): batched and reused answers equal the plain ones too', async () => {
    const common = { cacheDir: models.cacheDir, progress: false, dtype: 'q8' as const };
    const q8 = await pipeline('text-generation', models.dir('tiny-text'), { ...common, parallel: 4 });
    const q8plain = await pipeline('text-generation', models.dir('tiny-text'), {
      ...common,
      prefixCacheBytes: 0,
    });
    try {
      const prompts = ['Hello', 'Why is the sky blue? Tell me in detail.', 'One', 'More words in this one'];
      const alone: GenerationOutput[] = [];
      for (const p of prompts) alone.push(await q8plain(p, greedy));
      const together = await Promise.all(prompts.map((p) => q8(p, greedy)));
      together.forEach((out, i) => {
        expect(out.tokenIds, prompts[i]).toEqual(alone[i]!.tokenIds);
      });
      const first = await q8([{ role: 'user' as const, content: prompts[1]! }], greedy);
      const turn2 = [...first.messages!, { role: 'user' as const, content: 'Shorter, please.' }];
      const reused = await q8(turn2, greedy);
      expect(reused.usage.cachedTokens).toBeGreaterThan(0);
      expect(reused.tokenIds).toEqual((await q8plain(turn2, greedy)).tokenIds);
    } finally {
      await q8.dispose();
      await q8plain.dispose();
    }
  });

  test('bad batching options name the option', async () => {
    await expect(
      pipeline('text-generation', models.dir('tiny-text'), {
        cacheDir: models.cacheDir,
        progress: false,
        parallel: 0,
      }),
    ).rejects.toMatchObject({ field: 'parallel' });
    await expect(
      pipeline('text-generation', models.dir('tiny-text'), {
        cacheDir: models.cacheDir,
        progress: false,
        prefixCacheBytes: -1,
      }),
    ).rejects.toMatchObject({ field: 'prefixCacheBytes' });
  });
});
