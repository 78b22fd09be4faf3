// Several images in one question: each image item becomes its own image block in the prompt.
//   cd examples && npx tsx multiple-images.ts [MODEL]
import { readFile } from 'node:fs/promises';
import { pipeline } from '@gemma3/pipeline';

const model = process.argv[2] ?? new URL('../.cache/models/tiny-vlm', import.meta.url).pathname;
const sunset = new URL('./assets/sunset.png', import.meta.url).pathname;

const vlm = await pipeline('image-text-to-text', model);
// Images by path, as a Buffer, and as raw pixels (a 32x32 red square, RGB).
const bytes = await readFile(sunset);
const red = {
  data: new Uint8Array(32 * 32 * 3).map((_, i) => (i % 3 === 0 ? 220 : 30)),
  width: 32,
  height: 32,
  channels: 3 as const,
};
const output = await vlm.run(
  [
    {
      role: 'user',
      content: [
        { type: 'image', path: sunset },
        { type: 'image', image: bytes },
        { type: 'image', image: red },
        { type: 'text', text: 'Which of these images are the same, and how does the third differ?' },
      ],
    },
  ],
  { maxNewTokens: 40, seed: 0 },
);
console.log(output.text);
console.log(`prompt: ${output.usage.promptTokens} tokens with ${output.usage.images} images`);
await vlm.dispose();
