import type OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestServer, type TestServer, TINY_PNG_DATA_URI } from './test-utils/start-server.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ answerWords: 5 });
});
afterAll(() => t.close());

describe('chat and completions through the openai client (fake backend, real HTTP on 127.0.0.1)', () => {
  test('plain chat: text, finish_reason, usage', async () => {
    const out = await t.client().chat.completions.create({
      model: 'fake-gemma',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Say hello to me' },
      ],
    });
    expect(out.object).toBe('chat.completion');
    expect(out.id).toMatch(/^chatcmpl-/);
    expect(out.choices).toHaveLength(1);
    expect(out.choices[0]!.message).toMatchObject({ role: 'assistant', content: 'w0 w1 w2 w3 w4' });
    expect(out.choices[0]!.finish_reason).toBe('stop');
    const prompt = t.backend.countPromptTokens(t.backend.calls.at(-1)!.input)!;
    expect(out.usage).toEqual({
      prompt_tokens: prompt,
      completion_tokens: 5,
      total_tokens: prompt + 5,
      prompt_tokens_details: { cached_tokens: 0 },
    });
    const call = t.backend.calls.at(-1)!;
    expect(call.input).toEqual({
      kind: 'chat',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Say hello to me' },
      ],
    });
  });

  test('max_tokens gives finish_reason length; sampling values reach the backend', async () => {
    const out = await t.client().chat.completions.create({
      model: 'fake-gemma',
      messages: [{ role: 'user', content: 'hi' }],
      max_tokens: 3,
      temperature: 0.5,
      top_p: 0.9,
      seed: 7,
      stop: ['zzz'],
      // @ts-expect-error top_k is an extension the openai types do not list
      top_k: 20,
    });
    expect(out.choices[0]!.message.content).toBe('w0 w1 w2');
    expect(out.choices[0]!.finish_reason).toBe('length');
    expect(out.usage?.completion_tokens).toBe(3);
    expect(t.backend.calls.at(-1)!.sampling).toEqual({
      maxTokens: 3,
      temperature: 0.5,
      topP: 0.9,
      topK: 20,
      seed: 7,
      stop: ['zzz'],
    });
  });

  test('max_completion_tokens is max_tokens; a stop string ends with finish_reason stop, left out of the text (as OpenAI)', async () => {
    const out = await t.client().chat.completions.create({
      model: 'fake-gemma',
      messages: [{ role: 'user', content: 'hi' }],
      max_completion_tokens: 4,
      stop: 'w1',
    });
    expect(out.choices[0]!.message.content).toBe('w0 ');
    expect(out.choices[0]!.finish_reason).toBe('stop');
    expect(t.backend.calls.at(-1)!.sampling.maxTokens).toBe(4);
    const stream = await t.client().chat.completions.create({
      model: 'fake-gemma',
      messages: [{ role: 'user', content: 'hi' }],
      stop: [' w2', 'zz'],
      stream: true,
    });
    const pieces: string[] = [];
    for await (const chunk of stream) pieces.push(chunk.choices[0]?.delta.content ?? '');
    expect(pieces.join('')).toBe('w0 w1');
  });

  test('streamed chat: role chunk, content deltas, finish chunk, usage chunk, [DONE]', async () => {
    const stream = await t.client().chat.completions.create({
      model: 'fake-gemma',
      messages: [{ role: 'user', content: 'count' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks[0]!.choices[0]!.delta).toEqual({ role: 'assistant', content: '' });
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
    expect(text).toBe('w0 w1 w2 w3 w4');
    const finish = chunks.filter((c) => c.choices[0]?.finish_reason);
    expect(finish).toHaveLength(1);
    expect(finish[0]!.choices[0]!.finish_reason).toBe('stop');
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage?.completion_tokens).toBe(5);
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
    for (const c of chunks.slice(0, -1)) expect(c.usage).toBeNull();
  });

  test('the raw stream ends with data: [DONE]; without include_usage there is no usage chunk', async () => {
    const res = await fetch(`${t.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'fake-gemma', messages: [{ role: 'user', content: 'x' }], stream: true }),
    });
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const text = await res.text();
    const events = text.split('\n\n').filter((e) => e !== '');
    expect(events.at(-1)).toBe('data: [DONE]');
    for (const e of events) expect(e.startsWith('data: ')).toBe(true);
    const parsed = events.slice(0, -1).map((e) => JSON.parse(e.slice(6)));
    expect(parsed.every((c) => c.object === 'chat.completion.chunk' && !('usage' in c))).toBe(true);
  });

  test('an image question: the data URI reaches the backend as bytes in order with the text', async () => {
    const out = await t.client().chat.completions.create({
      model: 'fake-gemma',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image_url', image_url: { url: TINY_PNG_DATA_URI } },
            { type: 'text', text: 'What is this?' },
          ],
        },
      ],
    });
    expect(out.choices[0]!.message.content).toBe('w0 w1 w2 w3 w4');
    const message = (t.backend.calls.at(-1)!.input as { messages: { content: unknown }[] }).messages[0]!;
    const parts = message.content as { type: string; image?: Uint8Array; text?: string }[];
    expect(parts[0]!.type).toBe('image');
    expect(Buffer.from(parts[0]!.image!).subarray(1, 4).toString()).toBe('PNG');
    expect(parts[1]).toEqual({ type: 'text', text: 'What is this?' });
  });

  test('/v1/completions plain and streamed (default max_tokens 16 as OpenAI)', async () => {
    const client = t.client();
    const out = await client.completions.create({ model: 'fake-gemma', prompt: 'Once upon', max_tokens: 2 });
    expect(out.object).toBe('text_completion');
    expect(out.choices[0]).toMatchObject({ text: 'w0 w1', finish_reason: 'length', index: 0 });
    expect(out.usage).toEqual({
      prompt_tokens: 3,
      completion_tokens: 2,
      total_tokens: 5,
      prompt_tokens_details: { cached_tokens: 0 },
    });
    await client.completions.create({ model: 'fake-gemma', prompt: ['a b'] });
    expect(t.backend.calls.at(-1)!.sampling.maxTokens).toBe(16);
    const stream = await client.completions.create({
      model: 'fake-gemma',
      prompt: 'x',
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.text ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe('w0 w1 w2 w3 w4');
    expect(finish).toBe('stop');
    expect(usage?.completion_tokens).toBe(5);
  });

  test('GET /v1/models and /v1/models/{id}', async () => {
    const client = t.client();
    const list = await client.models.list();
    expect(list.data.map((m) => m.id)).toEqual(['fake-gemma']);
    expect((await client.models.retrieve('fake-gemma')).id).toBe('fake-gemma');
    await expect(client.models.retrieve('gpt-4')).rejects.toMatchObject({
      status: 404,
      code: 'model_not_found',
    });
  });

  test('/health is 200 when ready; /metrics counts requests and tokens in Prometheus text', async () => {
    const health = await fetch(`${t.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ready', model: 'fake-gemma' });
    const metrics = await fetch(`${t.url}/metrics`);
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await metrics.text();
    expect(text).toMatch(/^gemma3_http_requests_total\{route="\/v1\/chat\/completions",status="200"\} \d+$/m);
    const completion = Number(/^gemma3_completion_tokens_total (\d+)$/m.exec(text)?.[1]);
    expect(completion).toBe(t.backend.calls.length > 0 ? sumCompletion() : 0);
    expect(text).toMatch(/^gemma3_queue_depth 0$/m);
    expect(text).toMatch(/^# TYPE gemma3_request_duration_seconds histogram$/m);
    expect(text).toMatch(
      /^gemma3_request_duration_seconds_bucket\{route="\/v1\/chat\/completions",le="\+Inf"\} \d+$/m,
    );
  });

  test('GET / serves the chat page', async () => {
    const res = await fetch(`${t.url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await res.text()).toContain('<script type="module" src="/js/app.js">');
  });
});

/** Completion tokens the fake produced so far (every call ran to its end). */
function sumCompletion(): number {
  return t.backend.calls.reduce(
    (sum, c) => sum + Math.min(c.sampling.maxTokens, 5, stopAt(c.sampling.stop)),
    0,
  );
}

function stopAt(stop: string[] | undefined): number {
  if (!stop) return Number.POSITIVE_INFINITY;
  const words = ['w0', 'w1', 'w2', 'w3', 'w4'];
  let text = '';
  for (let i = 0; i < words.length; i++) {
    text += (i === 0 ? '' : ' ') + words[i];
    if (stop.some((s) => text.includes(s))) return i + 1;
  }
  return Number.POSITIVE_INFINITY;
}
