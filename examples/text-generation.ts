// Text generation with Gemma 3: a chat message in, the answer out.
//   cd examples && npx tsx text-generation.ts [MODEL]
// MODEL: a Gemma 3 folder or Hugging Face id (default: the demo's tiny random model, see README.md).
import { pipeline } from '@gemma3/pipeline';

const model = process.argv[2] ?? new URL('../.cache/models/tiny-vlm', import.meta.url).pathname;

const generator = await pipeline('text-generation', model);
const messages = [
  { role: 'system', content: 'You are a helpful assistant.' },
  { role: 'user', content: 'Write a haiku about running language models locally.' },
];
const output = await generator.run(messages, { maxNewTokens: 48, temperature: 0 });
console.log(output.text);
console.log(
  `${output.usage.completionTokens} tokens, ${output.timings.tokensPerSecond.toFixed(1)} tokens/s (finish: ${output.finishReason})`,
);
await generator.dispose();
