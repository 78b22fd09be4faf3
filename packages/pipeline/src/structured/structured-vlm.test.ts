import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type ImageTextToTextPipeline, pipeline } from '../pipeline.js';
import { gradientPng } from '../test-utils/png.js';
import { createTinyModels, type TinyModels } from '../test-utils/tiny-models.js';

// The multimodal model takes the same constraint: an image question answered as a schema's document.
let models: TinyModels;
let vlm: ImageTextToTextPipeline;

beforeAll(async () => {
  models = await createTinyModels(['tiny-vlm']);
  vlm = await pipeline('image-text-to-text', models.dir('tiny-vlm'), {
    cacheDir: models.cacheDir,
    progress: false,
  });
}, 60_000);

afterAll(async () => {
  await vlm?.dispose();
  await models?.cleanup();
});

describe('responseFormat on tiny-vlm', { timeout: 60_000 }, () => {
  test('an image and a json_schema: a valid document', async () => {
    const schema = {
      type: 'object',
      properties: {
        colour: { enum: ['red', 'green', 'blue'] },
        count: { type: 'integer', minimum: 0, maximum: 9 },
      },
      required: ['colour', 'count'],
      additionalProperties: false,
    };
    const out = await vlm(
      [
        {
          role: 'user',
          content: [
            { type: 'image', image: gradientPng(40, 30) },
            { type: 'text', text: 'Describe it as JSON.' },
          ],
        },
      ],
      { maxNewTokens: 40, temperature: 0, responseFormat: { type: 'json_schema', schema } },
    );
    expect(out.finishReason).toBe('stop');
    const value = out.json as { colour: string; count: number };
    expect(['red', 'green', 'blue']).toContain(value.colour);
    expect(Number.isInteger(value.count) && value.count >= 0 && value.count <= 9).toBe(true);
    expect(Object.keys(value).sort()).toEqual(['colour', 'count']);
  });
});
