// Ask about an image, with a system prompt (the seed's image-text-to-text example).
//   cd examples && npx tsx image-question.ts [MODEL] [IMAGE]
// IMAGE: a path, an http(s) URL or a data: URI (default: assets/sunset.png).
import { pipeline } from '@gemma3/pipeline';

const model = process.argv[2] ?? new URL('../.cache/models/tiny-vlm', import.meta.url).pathname;
const image = process.argv[3] ?? new URL('./assets/sunset.png', import.meta.url).pathname;

const vlm = await pipeline('image-text-to-text', model);
const messages = [
  { role: 'system', content: [{ type: 'text' as const, text: 'You are a helpful assistant.' }] },
  {
    role: 'user',
    content: [
      { type: 'image' as const, path: image },
      { type: 'text' as const, text: 'What is shown in this image?' },
    ],
  },
];
const output = await vlm.run(messages, { maxNewTokens: 40, seed: 0 });
console.log(output.text);
// The whole conversation, the answer appended as the assistant's turn: pass it back to continue.
console.log(output.messages?.at(-1));
await vlm.dispose();
