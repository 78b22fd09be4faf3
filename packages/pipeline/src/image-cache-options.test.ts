import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Gemma3ForConditionalGeneration } from '@gemma3/multimodal-model';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { PipelineMessage } from './messages.js';
import { type ImageTextToTextPipeline, pipeline } from './pipeline.js';
import { gradientPng } from './test-utils/png.js';
import { createTinyModels, type TinyModels } from './test-utils/tiny-models.js';

// tiny-vlm: 16 soft tokens of hidden size 32 per image: 2 KiB of float32 features.
let models: TinyModels;
let vlm: ImageTextToTextPipeline;
let imagePath: string;

beforeAll(async () => {
  models = await createTinyModels(['tiny-vlm']);
  imagePath = join(models.root, 'image-cache.png');
  await writeFile(imagePath, gradientPng(30, 20));
  vlm = await pipeline('image-text-to-text', models.dir('tiny-vlm'), {
    cacheDir: models.cacheDir,
    progress: false,
    imageCacheSize: 3,
    imageCacheBytes: 5000,
  });
}, 60_000);

afterAll(async () => {
  await vlm?.dispose();
  await models?.cleanup();
});

const turn = (text: string): PipelineMessage[] => [
  {
    role: 'user',
    content: [
      { type: 'image', path: imagePath },
      { type: 'text', text },
    ],
  },
];

describe('image feature cache options of pipeline()', { timeout: 30_000 }, () => {
  test('imageCacheSize / imageCacheBytes reach the model, whose stats count the second turn as a hit', async () => {
    const model = vlm.model as Gemma3ForConditionalGeneration;
    expect(model.imageCacheStats()).toMatchObject({ maxEntries: 3, maxBytes: 5000, entries: 0, hits: 0 });
    await vlm.run(turn('What is it?'), { maxNewTokens: 2, temperature: 0 });
    // text before the image: the prompt differs before it, so the prefix cache cannot skip the tower
    const textFirst: PipelineMessage[] = [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Look:' },
          { type: 'image', path: imagePath },
        ],
      },
    ];
    await vlm.run(textFirst, { maxNewTokens: 2, temperature: 0 });
    const stats = model.imageCacheStats();
    expect(stats).toMatchObject({ misses: 1, hits: 1, entries: 1, evictions: 0 });
    expect(stats.bytes).toBe(model.config.mm_tokens_per_image * model.config.text_config.hidden_size * 4);
  });
});
