import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Gemma3Error } from '@gemma3/errors';
import { ContinueFinalMessageError } from '@gemma3/tokenizer';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ImageCountMismatchError } from './errors/image-count-mismatch-error.js';
import { ImageTokensTruncatedError } from './errors/image-tokens-truncated-error.js';
import { InvalidProcessorInputError } from './errors/invalid-processor-input-error.js';
import { PromptTooLongError } from './errors/prompt-too-long-error.js';
import { Gemma3Processor } from './gemma3-processor.js';
import { FIXTURES, IMAGES, makeProcessorDir } from './test-utils/processor-dir.js';

const BOS = 2;
const BOI = 255999;
const EOI = 256000;
const IMAGE = 262144;
const PAD = 0;
const photo = join(IMAGES, 'photo.png');
const chatFixture = JSON.parse(
  readFileSync(join(FIXTURES, '..', '..', 'tokenizer', 'fixtures', 'chat.json'), 'utf8'),
) as { cases: { name: string; text: string }[] };

let dir: string;
let processor: Gemma3Processor;
let small: Gemma3Processor;

beforeAll(async () => {
  dir = makeProcessorDir();
  processor = await Gemma3Processor.fromPretrained(dir, { imageProcessor: 'slow' });
  // A short image sequence and small pictures keep the error tests readable and quick.
  small = new Gemma3Processor(processor.tokenizer, processor.imageProcessor, { imageSeqLength: 4 });
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('Gemma3Processor', () => {
  test('one image expands to \\n\\n <boi> 4 x <image> <eoi> \\n\\n; token types mark only soft tokens', async () => {
    const out = await small.process('A<start_of_image>B', [photo], { size: { height: 28, width: 28 } });
    const ids = out.inputIds[0]!;
    const boi = ids.indexOf(BOI);
    expect(ids[0]).toBe(BOS);
    expect(ids.slice(boi, boi + 6)).toEqual([BOI, IMAGE, IMAGE, IMAGE, IMAGE, EOI]);
    expect(out.tokenTypeIds[0]).toEqual(ids.map((id) => (id === IMAGE ? 1 : 0)));
    expect(out.pixelValues?.dims).toEqual([1, 3, 28, 28]);
    expect(out.numCrops).toEqual([0]);
  });

  test('no second <bos> when the prompt already starts with it', async () => {
    const out = await small.process('<bos>Hello', []);
    expect(out.inputIds[0]!.filter((id) => id === BOS)).toHaveLength(1);
    expect(out.pixelValues).toBeUndefined();
    const plain = await small.process('Hello', []);
    expect(plain.inputIds[0]).toEqual(out.inputIds[0]);
  });

  test('chat template through the processor starts with exactly one <bos>', async () => {
    const out = await small.applyChatTemplate(
      [
        {
          role: 'user',
          content: [
            { type: 'image', image: photo },
            { type: 'text', text: 'Hi' },
          ],
        },
      ],
      { addGenerationPrompt: true, size: { height: 28, width: 28 } },
    );
    expect(out.inputIds[0]![0]).toBe(BOS);
    expect(out.inputIds[0]![1]).not.toBe(BOS);
    expect(out.tokenTypeIds[0]!.reduce((a, b) => a + b, 0)).toBe(4);
  });

  test('batches are left-padded with <pad>, attention 0 and token type 0 on padding', async () => {
    const out = await small.process(
      ['Hi <start_of_image>', 'A much longer prompt with more words <start_of_image>'],
      [[photo], [photo]],
      {
        size: { height: 28, width: 28 },
      },
    );
    const [a, b] = out.inputIds as [number[], number[]];
    expect(a.length).toBe(b.length);
    const pads = out.attentionMask[0]!.indexOf(1);
    expect(pads).toBeGreaterThan(0);
    expect(a.slice(0, pads).every((id) => id === PAD)).toBe(true);
    expect(a[pads]).toBe(BOS);
    expect(out.tokenTypeIds[0]!.slice(0, pads).every((t) => t === 0)).toBe(true);
    expect(out.attentionMask[1]!.every((m) => m === 1)).toBe(true);
    expect(out.pixelValues?.dims).toEqual([2, 3, 28, 28]);
  });

  test('marker count must equal the image count, per prompt', async () => {
    await expect(small.process('no marker', [photo])).rejects.toBeInstanceOf(ImageCountMismatchError);
    await expect(small.process('<start_of_image><start_of_image>', [photo])).rejects.toMatchObject({
      markers: 2,
      images: 1,
    });
    await expect(small.process(['<start_of_image>', 'x'], [[photo], [photo]])).rejects.toMatchObject({
      prompt: 1,
    });
  });

  test('truncation that would cut image tokens is refused; cutting text only is allowed', async () => {
    const text = 'Some words before the picture <start_of_image> and quite a few words after it, to cut';
    const full = await small.process(text, [photo], { size: { height: 28, width: 28 } });
    const length = full.inputIds[0]!.length;
    const boi = full.inputIds[0]!.indexOf(BOI);
    const error = await small
      .process(text, [photo], { maxLength: boi + 3, truncation: true, size: { height: 28, width: 28 } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImageTokensTruncatedError);
    expect(error).toMatchObject({ imageTokensBefore: 4, imageTokensAfter: 2, length });
    const cut = await small.process(text, [photo], {
      maxLength: length - 3,
      truncation: true,
      size: { height: 28, width: 28 },
    });
    expect(cut.inputIds[0]).toEqual(full.inputIds[0]!.slice(0, length - 3));
    expect(cut.tokenTypeIds[0]!.reduce((a, b) => a + b, 0)).toBe(4);
  });

  test('longer than maxLength without truncation is an error, never a silent cut', async () => {
    await expect(small.process('one two three four five six', [], { maxLength: 3 })).rejects.toBeInstanceOf(
      PromptTooLongError,
    );
  });

  test('pan & scan text is the reference sentence with one image sequence per crop', async () => {
    const text = await small.applyChatTemplate(
      [{ role: 'user', content: [{ type: 'image', path: join(IMAGES, 'pas-wide.png') }] }],
      {
        tokenize: false,
      },
    );
    expect(text).toContain('<start_of_image>');
    const out = await small.process('<start_of_image>', [join(IMAGES, 'pas-wide.png')], {
      doPanAndScan: true,
      size: { height: 28, width: 28 },
    });
    expect(out.numCrops).toEqual([3]);
    const decoded = small.tokenizer.decode(out.inputIds[0]!);
    const seq = `\n\n<start_of_image>${'<image_soft_token>'.repeat(4)}<end_of_image>\n\n`;
    expect(decoded).toBe(
      `<bos>Here is the original image ${seq} and here are some crops to help you see better ${[seq, seq, seq].join(' ')}`,
    );
  });

  test('continueFinalMessage leaves the final message open, as the reference renders it', async () => {
    // The reference's rendering of this conversation is packages/tokenizer/fixtures/chat.json,
    // case continue/system-image-multi-turn (transformers' continue_final_message=True).
    const reference = chatFixture.cases.find((c) => c.name === 'continue/system-image-multi-turn')!;
    const conversation = [
      { role: 'system', content: 'Answer in French.' },
      {
        role: 'user',
        content: [
          { type: 'image' as const, path: photo },
          { type: 'text' as const, text: 'What is this?' },
        ],
      },
      { role: 'assistant', content: "C'est" },
    ];
    expect(reference.text.endsWith("<start_of_turn>model\nC'est")).toBe(true);
    const text = await small.applyChatTemplate(conversation, { tokenize: false, continueFinalMessage: true });
    expect(text).toBe(reference.text);
    const out = await small.applyChatTemplate(conversation, {
      continueFinalMessage: true,
      size: { height: 28, width: 28 },
    });
    const decoded = small.tokenizer.decode(out.inputIds[0]!);
    expect(decoded.endsWith("<end_of_turn>\n<start_of_turn>model\nC'est")).toBe(true);
    expect(out.pixelValues?.dims[0]).toBe(1);
    await expect(
      small.applyChatTemplate(conversation, { continueFinalMessage: true, addGenerationPrompt: true }),
    ).rejects.toBeInstanceOf(ContinueFinalMessageError);
  });

  test('bad arguments get typed errors', async () => {
    await expect(small.process([], [])).rejects.toBeInstanceOf(InvalidProcessorInputError);
    await expect(small.process(['a', 'b'], [photo])).rejects.toBeInstanceOf(InvalidProcessorInputError);
    await expect(small.process(['a'], [[photo], [photo]])).rejects.toBeInstanceOf(InvalidProcessorInputError);
    await expect(small.process('x', [], { maxLength: 0 })).rejects.toBeInstanceOf(InvalidProcessorInputError);
    await expect(
      small.applyChatTemplate([{ role: 'user', content: [{ type: 'image' }] }]),
    ).rejects.toBeInstanceOf(InvalidProcessorInputError);
  });

  test('images in messages: Buffer and base64 payloads are loaded like paths', async () => {
    const { readFileSync } = await import('node:fs');
    const bytes = readFileSync(photo);
    const options = { addGenerationPrompt: true, size: { height: 28, width: 28 } };
    const fromPath = await small.applyChatTemplate(
      [{ role: 'user', content: [{ type: 'image', path: photo }] }],
      options,
    );
    const fromBuffer = await small.applyChatTemplate(
      [{ role: 'user', content: [{ type: 'image', image: bytes }] }],
      options,
    );
    const fromBase64 = await small.applyChatTemplate(
      [{ role: 'user', content: [{ type: 'image', base64: bytes.toString('base64') }] }],
      options,
    );
    expect(fromBuffer.pixelValues?.data).toEqual(fromPath.pixelValues?.data);
    expect(fromBase64.pixelValues?.data).toEqual(fromPath.pixelValues?.data);
  });

  test('a corrupt image inside a message is a typed image error naming it', async () => {
    const error = await small
      .applyChatTemplate([
        {
          role: 'user',
          content: [{ type: 'image', image: new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]) }],
        },
      ])
      .catch((e: unknown) => e);
    expect(Gemma3Error.isInstance(error)).toBe(true);
    expect((error as Gemma3Error).code).toMatch(/^image\//);
  });

  test('a folder without preprocessor_config.json is a typed config error', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'gemma3-processor-empty-'));
    try {
      symlinkSync(join(dir, 'tokenizer.json'), join(empty, 'tokenizer.json'));
      const error = await Gemma3Processor.fromPretrained(empty).catch((e: unknown) => e);
      expect(Gemma3Error.isInstance(error)).toBe(true);
      expect(String((error as Error).message)).toMatch(/preprocessor_config\.json/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
