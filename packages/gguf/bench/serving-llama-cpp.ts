/**
 * llama.cpp's side of the server bench (apps/server/bench/serving.ts): the same scenarios on a GGUF
 * file through node-llama-cpp's multi-sequence context, in this process, printing one JSON line.
 *
 *   node --import tsx bench/serving-llama-cpp.ts --gguf FILE --input INPUT.json [--threads 2]
 *
 * INPUT.json: { conversations: [{ turn1: text, turn2Suffix: text }], turnTokens, clients: ids[][], newTokens }
 * - prefix: turn 1 (the rendered chat template, tokenized with special tokens; greedy, `turnTokens`
 *   new tokens), then turn 2 = turn 1 + the answer's text (trimmed, as Gemma's template renders it) +
 *   the suffix, tokenized again as a server gets it from a client, reusing the sequence's common
 *   prefix as llama-server's cache_prompt does (erase what differs, evaluate the rest): time to first
 *   token of each turn.
 * - concurrent: the client prompts alone (the first one) and all at once on their own sequences of
 *   one context (node-llama-cpp batches concurrent evaluations into one llama_decode): token times.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { getLlama, type LlamaContextSequence, type Token } from 'node-llama-cpp';

const { values } = parseArgs({
  options: {
    gguf: { type: 'string' },
    input: { type: 'string' },
    threads: { type: 'string', default: '2' },
  },
});

interface Input {
  conversations: { turn1: string; turn2Suffix: string }[];
  turnTokens: number;
  clients: number[][];
  newTokens: number;
}

const input = JSON.parse(await readFile(values.input as string, 'utf8')) as Input;
const threads = Number(values.threads);
const llama = await getLlama({ gpu: false, build: 'never', progressLogs: false, logLevel: 'error' as never });
const model = await llama.loadModel({ modelPath: values.gguf as string });

/** Greedy generation of up to `count` tokens after `tokens`: the times of each new token (ms after start). */
async function generate(
  sequence: LlamaContextSequence,
  tokens: readonly number[],
  count: number,
): Promise<{ start: number; times: number[]; ids: number[] }> {
  const start = performance.now();
  const times: number[] = [];
  const ids: number[] = [];
  for await (const token of sequence.evaluate(tokens as Token[], { temperature: 0, yieldEogToken: true })) {
    times.push(performance.now() - start);
    ids.push(token);
    if (ids.length >= count) break;
  }
  return { start, times, ids };
}

// prefix reuse: one sequence per conversation, turn 2 keeps the common prefix
const turns = input.conversations.map((c) => ({ ...c, turn1Ids: model.tokenize(c.turn1, true) as number[] }));
const longest = Math.max(...turns.map((c) => c.turn1Ids.length)) + 256 + 2 * input.turnTokens;
const prefixContext = await model.createContext({
  contextSize: Math.ceil(longest / 256) * 256 + 256,
  batchSize: 512,
  threads,
  sequences: 1,
});
const prefix: {
  ttft1Ms: number;
  ttft2Ms: number;
  reusedTokens: number;
  promptTokens2: number;
  firstIds: number[];
}[] = [];
for (const conversation of turns) {
  const sequence = prefixContext.getSequence();
  await sequence.clearHistory();
  const first = await generate(sequence, conversation.turn1Ids, input.turnTokens);
  const said = first.ids.filter((id) => !model.isSpecialToken(id as Token)) as Token[];
  const answer = model.detokenize(said).trim();
  const turn2 = model.tokenize(conversation.turn1 + answer + conversation.turn2Suffix, true) as number[];
  const held = sequence.contextTokens;
  let common = 0;
  while (common < held.length && common < turn2.length - 1 && held[common] === turn2[common]) common++;
  if (common < sequence.nextTokenIndex) {
    await sequence.eraseContextTokenRanges([{ start: common, end: sequence.nextTokenIndex }]);
  }
  const second = await generate(sequence, turn2.slice(common), input.turnTokens);
  prefix.push({
    ttft1Ms: first.times[0]!,
    ttft2Ms: second.times[0]!,
    reusedTokens: common,
    promptTokens2: turn2.length,
    firstIds: turn2.slice(0, 3),
  });
  sequence.dispose();
}
await prefixContext.dispose();

// concurrent clients: one context with a sequence per client
const perClient = Math.max(...input.clients.map((c) => c.length)) + input.newTokens + 16;
const context = await model.createContext({
  contextSize: Math.ceil((perClient * input.clients.length) / 256) * 256,
  batchSize: 512,
  threads,
  sequences: input.clients.length,
});
const sequences = input.clients.map(() => context.getSequence());
// warm-up (pages the weights in), then one client alone, then all at once
await generate(sequences[0]!, input.clients[0]!, 8);
await sequences[0]!.clearHistory();
const alone = await generate(sequences[0]!, input.clients[0]!, input.newTokens);
await sequences[0]!.clearHistory();
const together = await Promise.all(
  input.clients.map((ids, i) => generate(sequences[i]!, ids, input.newTokens)),
);
await context.dispose();
await model.dispose();

const toClient = (g: { start: number; times: number[] }, origin: number) => ({
  startMs: g.start - origin,
  tokenMs: g.times.map((t) => t + g.start - origin),
});
const origin = Math.min(...together.map((g) => g.start));
console.log(
  JSON.stringify({
    engine: 'llama.cpp (node-llama-cpp 3.21.1)',
    prefix,
    alone: toClient(alone, alone.start),
    together: together.map((g) => toClient(g, origin)),
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
  }),
);
