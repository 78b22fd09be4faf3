import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DEFAULT_DTYPE } from './default-dtype.js';
import { InvalidPipelineInputError } from './errors/invalid-pipeline-input-error.js';
import { TaskModelMismatchError } from './errors/task-model-mismatch-error.js';
import { UnsupportedModelError } from './errors/unsupported-model-error.js';
import { UnsupportedTaskError } from './errors/unsupported-task-error.js';
import { Gemma3Pipeline } from './gemma3-pipeline.js';
import { pipeline, type TextGenerationPipeline } from './pipeline.js';
import { createTinyModels, type TinyModels } from './test-utils/tiny-models.js';

let models: TinyModels;
let generator: TextGenerationPipeline;

beforeAll(async () => {
  models = await createTinyModels(['tiny-text']);
  // fp32: these tests check exact equalities across calls (the same seed, the model driven directly),
  // which the default q8 does not keep (its activation scales span a whole call; see the README).
  generator = await pipeline('text-generation', models.dir('tiny-text'), {
    cacheDir: models.cacheDir,
    progress: false,
    dtype: 'fp32',
  });
}, 60_000);

afterAll(async () => {
  await generator?.dispose();
  await models?.cleanup();
});

describe('text-generation on tiny-text (random weights, real tokenizer)', { timeout: 30_000 }, () => {
  test('a prompt string: text, ids, usage and timings agree with each other and with the stream', async () => {
    const pieces: string[] = [];
    const tokens: number[] = [];
    const out = await generator.run('The capital of France is', {
      maxNewTokens: 6,
      temperature: 0,
      onText: (t) => pieces.push(t),
      onToken: (t) => tokens.push(t.id),
    });
    const promptIds = generator.tokenizer.encode('The capital of France is');
    expect(promptIds[0]).toBe(2); // <bos>
    expect(out.usage.promptTokens).toBe(promptIds.length);
    expect(out.tokenIds.length).toBe(out.usage.completionTokens);
    expect(out.usage.totalTokens).toBe(promptIds.length + out.tokenIds.length);
    expect(out.tokenIds.length).toBeGreaterThan(0);
    expect(out.tokenIds.length).toBeLessThanOrEqual(6);
    expect(out.finishReason).toBe(out.tokenIds.length === 6 ? 'length' : 'stop');
    expect(tokens).toEqual(out.tokenIds);
    expect(pieces.join('')).toBe(out.text);
    expect(out.text).toBe(generator.tokenizer.decode(out.tokenIds, { skipSpecialTokens: true }));
    expect(out.messages).toBeUndefined();
    const t = out.timings;
    for (const value of [t.loadMs, t.preprocessMs, t.prefillMs, t.decodeMs, t.totalMs, t.tokensPerSecond]) {
      expect(value).toBeGreaterThanOrEqual(0);
    }
    expect(t.totalMs).toBeGreaterThanOrEqual(t.prefillMs + t.decodeMs);
    expect(t.loadMs).toBeGreaterThan(0);
  });

  test('greedy equals the model driven directly with the same prompt ids', async () => {
    const out = await generator.run('Hello', { maxNewTokens: 5, temperature: 0 });
    const direct = await generator.model.generate({
      inputIds: [generator.tokenizer.encode('Hello')],
      maxNewTokens: 5,
      doSample: false,
    });
    expect(out.tokenIds).toEqual(direct.newTokens[0]);
  });

  test('loads q8 weights by default (DEFAULT_DTYPE); dtype fp32 is one option away', async () => {
    expect(DEFAULT_DTYPE).toBe('q8');
    expect(generator.dtype).toBe('fp32');
    const q8 = await pipeline('text-generation', models.dir('tiny-text'), {
      cacheDir: models.cacheDir,
      progress: false,
    });
    try {
      expect(q8.dtype).toBe('q8');
      const ids = generator.tokenizer.encode('Hello there');
      const last = async (p: TextGenerationPipeline) =>
        (await p.model.forward({ inputIds: [ids], logits: 'last' })).logits.data as Float32Array;
      const [quantized, full] = [await last(q8), await last(generator)];
      // Not the same weights (the default is quantized for real), but close: q8 is near-lossless.
      let worst = 0;
      let [low, high] = [full[0]!, full[0]!];
      for (let i = 0; i < full.length; i++) {
        worst = Math.max(worst, Math.abs(full[i]! - quantized[i]!));
        [low, high] = [Math.min(low, full[i]!), Math.max(high, full[i]!)];
      }
      expect(worst).toBeGreaterThan(0);
      expect(worst).toBeLessThan(0.1 * (high - low));
      expect((await q8('Hello', { maxNewTokens: 3, temperature: 0 })).tokenIds.length).toBeGreaterThan(0);
    } finally {
      await q8.dispose();
    }
  });

  test('the pipeline is a function: generator(input, options) is generator.run(input, options)', async () => {
    expect(typeof generator).toBe('function');
    expect(generator).toBeInstanceOf(Gemma3Pipeline);
    expect(generator.task).toBe('text-generation');
    const called = await generator('Hello', { maxNewTokens: 5, temperature: 0 });
    const run = await generator.run('Hello', { maxNewTokens: 5, temperature: 0 });
    expect(called.tokenIds).toEqual(run.tokenIds);
    expect(called.text).toBe(run.text);
    const detached = generator.run.bind(generator);
    expect((await detached('Hello', { maxNewTokens: 5, temperature: 0 })).tokenIds).toEqual(run.tokenIds);
  });

  test('a trailing assistant message is continued (continueFinalMessage, default for it) and extended', async () => {
    const messages = [
      { role: 'user', content: 'Give me a JSON object.' },
      { role: 'assistant', content: '{"a":' },
    ];
    const open = generator.tokenizer.applyChatTemplate(messages, {
      continueFinalMessage: true,
      tokenize: true,
    });
    expect(generator.tokenizer.decode(open).endsWith('<start_of_turn>model\n{"a":')).toBe(true);
    const out = await generator(messages, { maxNewTokens: 4, temperature: 0 });
    expect(out.usage.promptTokens).toBe(open.length);
    const direct = await generator.model.generate({ inputIds: [open], maxNewTokens: 4, doSample: false });
    expect(out.tokenIds).toEqual(direct.newTokens[0]);
    expect(out.messages).toEqual([messages[0], { role: 'assistant', content: `{"a":${out.text}` }]);
    const explicit = await generator(messages, {
      maxNewTokens: 4,
      temperature: 0,
      continueFinalMessage: true,
    });
    expect(explicit.tokenIds).toEqual(out.tokenIds);
    // false: the assistant turn is closed and a new model turn answers.
    const closed = await generator(messages, {
      maxNewTokens: 4,
      temperature: 0,
      continueFinalMessage: false,
    });
    const closedIds = generator.tokenizer.applyChatTemplate(messages, {
      addGenerationPrompt: true,
      tokenize: true,
    });
    expect(closed.usage.promptTokens).toBe(closedIds.length);
    expect(closed.messages?.length).toBe(3);
    // A list content: the last text item is continued.
    const listed = await generator(
      [messages[0]!, { role: 'assistant', content: [{ type: 'text' as const, text: '{"a":' }] }],
      { maxNewTokens: 4, temperature: 0 },
    );
    expect(listed.tokenIds).toEqual(out.tokenIds);
    expect(listed.messages?.at(-1)).toEqual({
      role: 'assistant',
      content: [{ type: 'text', text: `{"a":${out.text}` }],
    });
  });

  test('chat messages use the chat template and come back with the answer appended', async () => {
    const messages = [
      { role: 'system', content: 'You are a helpful assistant.' },
      { role: 'user', content: [{ type: 'text' as const, text: 'Say hi.' }] },
    ];
    const out = await generator.run(messages, { maxNewTokens: 4, temperature: 0 });
    const ids = generator.tokenizer.applyChatTemplate(messages, {
      addGenerationPrompt: true,
      tokenize: true,
    });
    const rendered = generator.tokenizer.decode(ids);
    expect(rendered).toContain('<start_of_turn>user\nYou are a helpful assistant.\n\nSay hi.<end_of_turn>');
    expect(rendered.endsWith('<start_of_turn>model\n')).toBe(true);
    expect(out.usage.promptTokens).toBe(ids.length);
    expect(out.messages).toEqual([...messages, { role: 'assistant', content: out.text }]);
  });

  test('sampling: the same seed gives the same tokens, and the seed is returned', async () => {
    const options = { maxNewTokens: 6, doSample: true, temperature: 1.5, topK: 0, topP: 1 };
    const a = await generator.run('Once upon a time', { ...options, seed: 1234 });
    const b = await generator.run('Once upon a time', { ...options, seed: 1234 });
    expect(a.seed).toBe(1234);
    expect(b.tokenIds).toEqual(a.tokenIds);
    const random = await generator.run('Once upon a time', options);
    expect(Number.isSafeInteger(random.seed)).toBe(true);
  });

  test('an abort mid-generation resolves with the tokens so far', async () => {
    const controller = new AbortController();
    let seen = 0;
    const out = await generator.run('Count:', {
      maxNewTokens: 20,
      temperature: 0,
      eosTokenId: [],
      signal: controller.signal,
      onToken: () => {
        seen += 1;
        if (seen === 2) controller.abort();
      },
    });
    expect(out.finishReason).toBe('abort');
    expect(out.tokenIds).toHaveLength(2);
  });

  test('prompt + maxNewTokens beyond the context: the generation package error, nothing truncated', async () => {
    const error = await generator.run('Hello', { maxNewTokens: 10_000_000 }).catch((e: unknown) => e);
    expect((error as { code?: string }).code).toBe('generation/context-length-exceeded');
    expect((error as Error).message).toMatch(/10000000/);
  });

  test('pipeline-level generation defaults apply, call options win', async () => {
    const p = await pipeline('text-generation', models.dir('tiny-text'), {
      cacheDir: models.cacheDir,
      progress: false,
      generation: { maxNewTokens: 3, temperature: 0, eosTokenId: [] },
    });
    try {
      expect((await p.run('a')).tokenIds).toHaveLength(3);
      expect((await p.run('a', { maxNewTokens: 2 })).tokenIds).toHaveLength(2);
    } finally {
      await p.dispose();
    }
  });

  test.each([
    [
      'images with text-generation',
      () => generator.run('x', { images: ['a.png'] }),
      /text-generation takes no images/,
    ],
    [
      'an image item with text-generation',
      () => generator.run([{ role: 'user', content: [{ type: 'image', path: 'a.png' }] }]),
      /messages\[0\]\.content\[0\]\.path: text-generation takes no images/,
    ],
    ['no messages', () => generator.run([]), /messages: expected a non-empty array/],
    [
      'images beside chat messages',
      () => generator.run([{ role: 'user', content: 'x' }], { images: ['a.png'] }),
      /images: with chat messages, put the images in the messages/,
    ],
    ['a number', () => generator.run(42 as never), /input: expected a prompt string or an array/],
    [
      'a message without role',
      () => generator.run([{ content: 'x' } as never]),
      /messages\[0\]\.role: expected a non-empty string/,
    ],
    [
      'an unknown item type',
      () => generator.run([{ role: 'user', content: [{ type: 'audio' } as never] }]),
      /messages\[0\]\.content\[0\]\.type: expected "text" or "image", got "audio"/,
    ],
    [
      'an image item with two sources',
      () => generator.run([{ role: 'user', content: [{ type: 'image', path: 'a', url: 'http://x' }] }]),
      /image item has url and path: give exactly one/,
    ],
  ])('%s: InvalidPipelineInputError', async (_name, call, message) => {
    const error = await call().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidPipelineInputError);
    expect((error as Error).message).toMatch(message);
  });
});

describe('pipeline() refusals', { timeout: 30_000 }, () => {
  test('an unknown task', async () => {
    await expect(pipeline('summarization' as never, models.dir('tiny-text'))).rejects.toThrow(
      UnsupportedTaskError,
    );
  });

  test('image-text-to-text on a text-only model', async () => {
    const error = await pipeline('image-text-to-text', models.dir('tiny-text'), { progress: false }).catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(TaskModelMismatchError);
    expect(error.message).toMatch(/model_type "gemma3_text": it has no vision tower/);
  });

  test('a dtype other than fp32 / float32 / q8 / q4', async () => {
    await expect(
      pipeline('text-generation', models.dir('tiny-text'), { dtype: 'float16' as never }),
    ).rejects.toThrow(/dtype: "float16" is not supported \(supported: fp32, float32, q8, q4\)/);
  });

  test('a config.json of another model family names what it found', async () => {
    const dir = join(models.root, 'llama');
    await mkdir(dir, { recursive: true });
    await writeFile(
      join(dir, 'config.json'),
      JSON.stringify({ model_type: 'llama', architectures: ['LlamaForCausalLM'] }),
    );
    const error = await pipeline('text-generation', dir, { progress: false }).catch((e) => e);
    expect(error).toBeInstanceOf(UnsupportedModelError);
    expect(error.message).toBe(
      `${join(dir, 'config.json')}: model_type "llama", architectures LlamaForCausalLM is not Gemma 3 (expected model_type "gemma3" or "gemma3_text")`,
    );
  });

  test('gemma3 model_type with a foreign architecture is refused too', async () => {
    const dir = join(models.root, 'odd');
    await mkdir(dir, { recursive: true });
    await writeFile(
      join(dir, 'config.json'),
      JSON.stringify({ model_type: 'gemma3_text', architectures: ['Gemma2ForCausalLM'] }),
    );
    await expect(pipeline('text-generation', dir, { progress: false })).rejects.toThrow(
      UnsupportedModelError,
    );
  });

  test('a missing folder is the hub error for local paths', async () => {
    await expect(pipeline('text-generation', './no/such/folder', { progress: false })).rejects.toThrow(
      /no\/such\/folder/,
    );
  });
});
