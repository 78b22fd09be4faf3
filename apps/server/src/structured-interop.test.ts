import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { createRandomCheckpoint } from '@gemma3/random-checkpoint';
import { generateObject, generateText, stepCountIs, tool } from 'ai';
import OpenAI from 'openai';
import { zodFunction, zodResponseFormat } from 'openai/helpers/zod';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { z } from 'zod';
import type { BackendInput } from './backend.js';
import { loadPipelineBackend, type PipelineBackend } from './pipeline-backend.js';
import { Gemma3Server } from './server.js';

// Structured output and tool calling through real clients (the official `openai` client and the Vercel
// AI SDK) over loopback, on the tiny random text checkpoint (real Gemma 3 tokenizer, random weights:
// the words are noise, but every answer must follow its schema by construction).
let root: string;
let server: Gemma3Server;
let backend: PipelineBackend;
let client: OpenAI;
let baseURL: string;
const inputs: BackendInput[] = [];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'gemma3-structured-'));
  const dir = join(root, 'tiny-text');
  await createRandomCheckpoint({ preset: 'tiny-text', outDir: dir, seed: 0 });
  backend = await loadPipelineBackend(dir, { cacheDir: join(root, 'onnx-cache'), progress: false });
  const generate = backend.generate.bind(backend);
  backend.generate = (input, sampling, callbacks) => {
    inputs.push(input);
    return generate(input, sampling, callbacks);
  };
  server = new Gemma3Server({ backend, log: () => {} });
  const { port } = await server.listen(0, '127.0.0.1');
  baseURL = `http://127.0.0.1:${port}/v1`;
  client = new OpenAI({ baseURL, apiKey: 'none', maxRetries: 0 });
}, 120_000);

afterAll(async () => {
  await server?.close(1_000);
  await rm(root, { recursive: true, force: true });
});

// Bounded fields: a random model never closes a free string by itself (the budget would, at `length`).
const Person = z.object({
  name: z.string().max(8),
  colour: z.enum(['red', 'green', 'blue']),
  likesTea: z.boolean(),
  age: z.number().int().min(0).max(120),
});
const Weather = z.object({ city: z.string().max(10), unit: z.enum(['C', 'F']) });
const ask = [{ role: 'user' as const, content: 'Describe someone.' }];

describe('openai client', { timeout: 60_000 }, () => {
  test('chat.completions.parse with a zod schema: parsed and valid', async () => {
    const completion = await client.chat.completions.parse({
      model: 'tiny-text',
      messages: ask,
      response_format: zodResponseFormat(Person, 'person'),
      max_tokens: 120,
      temperature: 0,
    });
    const choice = completion.choices[0]!;
    expect(choice.finish_reason).toBe('stop');
    expect(Person.parse(choice.message.parsed)).toEqual(choice.message.parsed);
  });

  test('json_object, streamed: the chunks join to one JSON object', async () => {
    const stream = await client.chat.completions.create({
      model: 'tiny-text',
      messages: ask,
      response_format: { type: 'json_object' },
      max_tokens: 60,
      seed: 3,
      stream: true,
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    const value = JSON.parse(text);
    expect(typeof value === 'object' && value !== null && !Array.isArray(value)).toBe(true);
  });

  test('tools round trip: a required call with valid arguments, then the result in a tool message', async () => {
    const tools = [
      zodFunction({ name: 'get_weather', parameters: Weather, description: 'Weather for a city' }),
    ];
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Weather in Oslo?' }];
    const first = await client.chat.completions.parse({
      model: 'tiny-text',
      messages,
      tools,
      tool_choice: 'required',
      max_tokens: 80,
      temperature: 0,
    });
    const choice = first.choices[0]!;
    expect(choice.finish_reason).toBe('tool_calls');
    expect(choice.message.content).toBeNull();
    const call = choice.message.tool_calls![0] as OpenAI.ChatCompletionMessageFunctionToolCall & {
      function: { parsed_arguments: unknown };
    };
    expect(call.function.name).toBe('get_weather');
    expect(Weather.parse(JSON.parse(call.function.arguments))).toEqual(call.function.parsed_arguments);
    messages.push(choice.message as OpenAI.ChatCompletionMessageParam, {
      role: 'tool',
      tool_call_id: call.id,
      content: '{"temp": 3}',
    });
    const second = await client.chat.completions.create({
      model: 'tiny-text',
      messages,
      tools,
      tool_choice: 'none',
      max_tokens: 6,
      temperature: 0,
    });
    expect(second.choices[0]!.message.tool_calls ?? []).toEqual([]);
    expect(typeof second.choices[0]!.message.content).toBe('string');
    expect(inputs.at(-1)).toMatchObject({
      messages: [
        { role: 'user' },
        { role: 'assistant', toolCalls: [{ id: call.id, name: 'get_weather' }] },
        { role: 'tool', toolCallId: call.id, content: '{"temp": 3}' },
      ],
    });
  });

  test('tools, streamed: the call comes as a tool_calls delta, never as content', async () => {
    const stream = await client.chat.completions.create({
      model: 'tiny-text',
      messages: [{ role: 'user', content: 'Weather in Oslo?' }],
      tools: [
        {
          type: 'function',
          function: { name: 'get_weather', parameters: z.toJSONSchema(Weather) as Record<string, unknown> },
        },
      ],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
      max_tokens: 80,
      temperature: 0,
      stream: true,
    });
    let content = '';
    const calls: OpenAI.ChatCompletionChunk.Choice.Delta.ToolCall[] = [];
    let finish: string | null = null;
    for await (const chunk of stream) {
      const c = chunk.choices[0];
      content += c?.delta.content ?? '';
      calls.push(...(c?.delta.tool_calls ?? []));
      finish = c?.finish_reason ?? finish;
    }
    expect(content).toBe('');
    expect(finish).toBe('tool_calls');
    expect(calls).toHaveLength(1);
    expect(calls[0]!.function!.name).toBe('get_weather');
    Weather.parse(JSON.parse(calls[0]!.function!.arguments!));
  });
});

describe('Vercel AI SDK (@ai-sdk/openai-compatible)', { timeout: 60_000 }, () => {
  const provider = () => createOpenAICompatible({ name: 'gemma3', baseURL, supportsStructuredOutputs: true });

  test('generateObject with a zod schema', async () => {
    const { object, finishReason } = await generateObject({
      model: provider()('tiny-text'),
      schema: Person,
      prompt: 'Describe someone.',
      maxOutputTokens: 120,
      temperature: 0,
    });
    expect(finishReason).toBe('stop');
    expect(Person.parse(object)).toEqual(object);
  });

  test('generateText with a tool that runs and whose result is fed back', async () => {
    const runs: unknown[] = [];
    const result = await generateText({
      model: provider()('tiny-text'),
      prompt: 'What is the weather in Oslo?',
      tools: {
        get_weather: tool({
          description: 'Weather for a city',
          inputSchema: Weather,
          execute: async (input) => {
            runs.push(input);
            return { temp: 3, city: input.city };
          },
        }),
      },
      prepareStep: ({ stepNumber }) => ({ toolChoice: stepNumber === 0 ? 'required' : 'none' }),
      stopWhen: stepCountIs(2),
      maxOutputTokens: 60,
      temperature: 0,
    });
    expect(runs).toHaveLength(1);
    expect(Weather.parse(runs[0])).toEqual(runs[0]);
    expect(result.steps).toHaveLength(2);
    expect(result.steps[0]!.toolResults[0]!.output).toEqual({
      temp: 3,
      city: (runs[0] as { city: string }).city,
    });
    // the second request carried the call and its result back
    expect(inputs.at(-1)).toMatchObject({
      messages: expect.arrayContaining([
        expect.objectContaining({ role: 'tool', content: expect.stringContaining('"temp":3') }),
      ]),
    });
  });
});
