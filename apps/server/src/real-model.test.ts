import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRandomCheckpoint } from '@gemma3/random-checkpoint';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadPipelineBackend, type PipelineBackend } from './pipeline-backend.js';
import { Gemma3Server } from './server.js';
import { gradientPngDataUri } from './test-utils/png.js';

// The real adapter over @gemma3/pipeline on the tiny random checkpoints (real Gemma 3 tokenizer,
// random weights: the text is noise, but token counts, streaming and the protocol are real).
let root: string;
let text: { server: Gemma3Server; backend: PipelineBackend; client: OpenAI };
let vlm: { server: Gemma3Server; backend: PipelineBackend; client: OpenAI };

async function start(preset: 'tiny-text' | 'tiny-vlm') {
  const dir = join(root, preset);
  await createRandomCheckpoint({ preset, outDir: dir, seed: 0 });
  // fp32: answers are compared exactly, also when the second of two requests reuses the first's KV
  // (exact in fp32; int8 kernels quantize activations per run, so a reused prefix or a batch shifts them)
  const backend = await loadPipelineBackend(dir, {
    cacheDir: join(root, 'onnx-cache'),
    progress: false,
    dtype: 'fp32',
  });
  const server = new Gemma3Server({ backend, log: () => {} });
  const { port } = await server.listen(0, '127.0.0.1');
  return {
    server,
    backend,
    client: new OpenAI({ baseURL: `http://127.0.0.1:${port}/v1`, apiKey: 'none', maxRetries: 0 }),
  };
}

function baseUrl(server: Gemma3Server): string {
  const address = server.http.address() as { port: number };
  return `http://127.0.0.1:${address.port}`;
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'gemma3-server-'));
  text = await start('tiny-text');
  vlm = await start('tiny-vlm');
}, 120_000);

afterAll(async () => {
  await text?.server.close(1_000);
  await vlm?.server.close(1_000);
  await rm(root, { recursive: true, force: true });
});

describe('real pipeline backend (tiny checkpoints)', { timeout: 60_000 }, () => {
  test('model id is the folder name; chat usage counts the chat-template tokens; greedy equals the pipeline', async () => {
    expect((await text.client.models.list()).data.map((m) => m.id)).toEqual(['tiny-text']);
    const messages = [
      { role: 'system' as const, content: 'Be brief.' },
      { role: 'user' as const, content: 'Name a colour.' },
    ];
    const out = await text.client.chat.completions.create({
      model: 'tiny-text',
      messages,
      max_tokens: 6,
      temperature: 0,
    });
    const ids = text.backend.pipeline.tokenizer.applyChatTemplate(messages, {
      addGenerationPrompt: true,
      tokenize: true,
    });
    expect(out.usage!.prompt_tokens).toBe(ids.length);
    expect(out.usage!.completion_tokens).toBeGreaterThan(0);
    expect(out.usage!.completion_tokens).toBeLessThanOrEqual(6);
    expect(out.choices[0]!.finish_reason).toBe(out.usage!.completion_tokens === 6 ? 'length' : 'stop');
    const direct = await text.backend.pipeline.run(messages, {
      maxNewTokens: 6,
      temperature: 0,
      doSample: false,
    });
    expect(out.choices[0]!.message.content).toBe(direct.text);
  });

  test('a trailing assistant message is continued (a prefill): open turn, counted and generated as the pipeline does', async () => {
    const messages = [
      { role: 'user' as const, content: 'Give me a JSON object.' },
      { role: 'assistant' as const, content: '{"name":' },
    ];
    const out = await text.client.chat.completions.create({
      model: 'tiny-text',
      messages,
      max_tokens: 5,
      temperature: 0,
    });
    const tokenizer = text.backend.pipeline.tokenizer;
    const open = tokenizer.applyChatTemplate(messages, { continueFinalMessage: true });
    expect(open.endsWith('<start_of_turn>model\n{"name":')).toBe(true);
    expect(out.usage!.prompt_tokens).toBe(tokenizer.encode(open, { addSpecialTokens: false }).length);
    expect(text.backend.countPromptTokens({ kind: 'chat', messages })).toBe(out.usage!.prompt_tokens);
    const continued = await text.backend.pipeline.run(messages, {
      maxNewTokens: 5,
      temperature: 0,
      continueFinalMessage: true,
    });
    expect(out.choices[0]!.message.content).toBe(continued.text);
    const closed = tokenizer.applyChatTemplate(messages, { addGenerationPrompt: true, tokenize: true });
    expect(out.usage!.prompt_tokens).toBeLessThan(closed.length); // no <end_of_turn>, no new model turn
  });

  test('streamed text equals the non-streamed text (same seed)', async () => {
    const request = {
      model: 'tiny-text',
      messages: [{ role: 'user' as const, content: 'Hi' }],
      max_tokens: 8,
      seed: 42,
      temperature: 1,
    };
    const plain = await text.client.chat.completions.create(request);
    const stream = await text.client.chat.completions.create({
      ...request,
      stream: true,
      stream_options: { include_usage: true },
    });
    let streamed = '';
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      streamed += chunk.choices[0]?.delta.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    expect(streamed).toBe(plain.choices[0]!.message.content);
    // the same prompt again: all of it but its last token comes from the prefix cache
    expect(usage).toEqual({
      ...plain.usage,
      prompt_tokens_details: { cached_tokens: plain.usage!.prompt_tokens - 1 },
    });
  });

  test('the context limit comes from config.json and the count from the tokenizer', async () => {
    const limit = text.backend.contextLength;
    expect(limit).toBe(text.backend.pipeline.model.maxContextLength);
    await expect(
      text.client.chat.completions.create({
        model: 'tiny-text',
        messages: [{ role: 'user', content: 'Hi' }],
        max_tokens: limit,
      }),
    ).rejects.toMatchObject({
      status: 400,
      code: 'context_length_exceeded',
      message: expect.stringContaining(`${limit} tokens`),
    });
  });

  test('an image question on tiny-vlm: the image tokens are in prompt_tokens', async () => {
    const question = { type: 'text' as const, text: 'What is in the image?' };
    const withImage = await vlm.client.chat.completions.create({
      model: 'tiny-vlm',
      messages: [
        {
          role: 'user',
          content: [{ type: 'image_url', image_url: { url: gradientPngDataUri(32, 24) } }, question],
        },
      ],
      max_tokens: 4,
      temperature: 0,
    });
    const textOnly = await vlm.client.chat.completions.create({
      model: 'tiny-vlm',
      messages: [{ role: 'user', content: [question] }],
      max_tokens: 4,
      temperature: 0,
    });
    expect(withImage.choices[0]!.message.content).toEqual(expect.any(String));
    // tiny-vlm: 16 soft tokens per image, plus <start_of_image>, <end_of_image> and the blank lines around them.
    expect(withImage.usage!.prompt_tokens - textOnly.usage!.prompt_tokens).toBeGreaterThanOrEqual(18);
    await expect(
      vlm.client.chat.completions.create({
        model: 'tiny-vlm',
        messages: [
          {
            role: 'user',
            content: [{ type: 'image_url', image_url: { url: 'data:image/png;base64,AAAAAAAA' } }, question],
          },
        ],
      }),
    ).rejects.toMatchObject({ status: 400, code: 'invalid_image' });
  });

  test('a client abort mid-stream stops the real generation (finish_reason abort, far fewer tokens than asked)', async () => {
    const metrics = async () => (await fetch(`${baseUrl(text.server)}/metrics`)).text();
    const controller = new AbortController();
    const stream = await text.client.chat.completions.create(
      {
        model: 'tiny-text',
        messages: [{ role: 'user', content: 'Go on' }],
        max_tokens: 2_000,
        temperature: 0,
        stream: true,
      },
      { signal: controller.signal },
    );
    let chunks = 0;
    try {
      for await (const _chunk of stream) if (++chunks === 4) controller.abort();
    } catch {
      // aborted
    }
    const deadline = Date.now() + 10_000;
    while (text.server.queue.running > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    expect(text.server.queue.running).toBe(0);
    const m = await metrics();
    expect(m).toMatch(/^gemma3_generations_total\{finish_reason="abort"\} 1$/m);
    expect(m).toMatch(/^gemma3_cancelled_generations_total\{reason="client_gone"\} 1$/m);
  });

  test('a text model refuses an image with 400', async () => {
    await expect(
      text.client.chat.completions.create({
        model: 'tiny-text',
        messages: [
          { role: 'user', content: [{ type: 'image_url', image_url: { url: gradientPngDataUri(8, 8) } }] },
        ],
      }),
    ).rejects.toMatchObject({ status: 400, code: 'images_not_supported' });
  });
});
