import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Gemma3Processor } from './gemma3-processor.js';
import { IMAGES, makeProcessorDir, reference } from './test-utils/processor-dir.js';

// Reference: transformers 5.18 Gemma3Processor on the real Gemma 3 tokenizer and the released
// gemma-3-4b-it preprocessor config (tools/reference/images/make_processor_fixtures.py).
// Token ids, attention masks and token type ids must be identical; pixel shapes identical.

let dir: string;
let processor: Gemma3Processor;

beforeAll(async () => {
  dir = makeProcessorDir();
  processor = await Gemma3Processor.fromPretrained(dir);
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('Gemma3Processor vs the reference', () => {
  test('image_seq_length comes from processor_config.json', () => {
    expect(processor.imageSeqLength).toBe(reference.image_seq_length);
  });

  for (const c of reference.cases) {
    test(c.name, async () => {
      let out: Awaited<ReturnType<Gemma3Processor['process']>>;
      if (c.kind === 'process') {
        const images = (c.images as string[][]).map((group) => group.map((name) => join(IMAGES, name)));
        out = await processor.process(c.text!, c.text!.length === 1 ? images[0]! : images, {
          doPanAndScan: c.do_pan_and_scan,
        });
      } else {
        const messages = c.messages!.map((m) => ({
          role: m.role,
          content: m.content.map((item) =>
            item.type === 'image'
              ? { type: 'image' as const, path: join(IMAGES, item.path!) }
              : { type: 'text' as const, text: item.text! },
          ),
        }));
        expect(
          await processor.applyChatTemplate(messages, { addGenerationPrompt: true, tokenize: false }),
        ).toBe(c.rendered);
        out = await processor.applyChatTemplate(messages, {
          addGenerationPrompt: true,
          doPanAndScan: c.do_pan_and_scan,
        });
      }
      expect(out.inputIds).toEqual(c.input_ids);
      expect(out.attentionMask).toEqual(c.attention_mask);
      expect(out.tokenTypeIds).toEqual(c.token_type_ids);
      expect(out.pixelValues?.dims).toEqual(c.pixel_values_shape);
      expect(out.numCrops.reduce((a, b) => a + b + 1, 0)).toBe(c.pixel_values_shape[0]);
    });
  }
});
