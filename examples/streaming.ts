// Stream the answer to the terminal as it is generated; Ctrl-C stops it and keeps what came.
//   cd examples && npx tsx streaming.ts [MODEL] [PROMPT]
import { pipeline } from '@gemma3/pipeline';

const model = process.argv[2] ?? new URL('../.cache/models/tiny-vlm', import.meta.url).pathname;
const prompt = process.argv[3] ?? 'Tell me a short story about a lighthouse keeper.';

const generator = await pipeline('text-generation', model);
const stop = new AbortController();
process.once('SIGINT', () => stop.abort());

const output = await generator.run([{ role: 'user', content: prompt }], {
  maxNewTokens: 64,
  seed: 0,
  signal: stop.signal,
  onText: (text) => process.stdout.write(text), // pieces are whole characters, never half an emoji
});
const t = output.timings;
process.stdout.write('\n');
console.error(
  `[${output.finishReason}] prefill ${t.prefillMs.toFixed(0)} ms, ${output.usage.completionTokens} tokens at ${t.tokensPerSecond.toFixed(1)} tokens/s`,
);
await generator.dispose();
