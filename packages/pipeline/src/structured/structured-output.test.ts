import { compileRegexGrammar, GrammarTooLargeError, UnsupportedSchemaError } from '@gemma3/generation';
import type { Gemma3ForCausalLM } from '@gemma3/text-model';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { InvalidPipelineInputError } from '../errors/invalid-pipeline-input-error.js';
import { pipeline, type TextGenerationPipeline } from '../pipeline.js';
import { createTinyModels, type TinyModels } from '../test-utils/tiny-models.js';
import { renderToolConversation } from './tools.js';
import { vocabularyOf } from './vocabulary.js';

let models: TinyModels;
let generator: TextGenerationPipeline;

beforeAll(async () => {
  models = await createTinyModels(['tiny-text']);
  generator = await pipeline('text-generation', models.dir('tiny-text'), {
    cacheDir: models.cacheDir,
    progress: false,
  });
}, 60_000);

afterAll(async () => {
  await generator?.dispose();
  await models?.cleanup();
});

const ask = [{ role: 'user', content: 'Describe a person as JSON.' }];

describe('responseFormat on tiny-text (random weights, real tokenizer)', { timeout: 60_000 }, () => {
  const schemas: [string, object, (v: unknown) => boolean][] = [
    [
      'object with required and optional properties',
      {
        type: 'object',
        properties: {
          name: { type: 'string', maxLength: 8 },
          age: { type: 'integer' },
          ok: { type: 'boolean' },
        },
        required: ['name', 'age'],
        additionalProperties: false,
      },
      (v) => {
        const o = v as Record<string, unknown>;
        return (
          typeof o.name === 'string' &&
          o.name.length <= 8 &&
          Number.isInteger(o.age) &&
          (o.ok === undefined || typeof o.ok === 'boolean') &&
          Object.keys(o).every((k) => ['name', 'age', 'ok'].includes(k))
        );
      },
    ],
    ['enum', { enum: ['red', 'green', 42] }, (v) => ['red', 'green', 42].includes(v as string)],
    [
      'array of 2-3 dates',
      { type: 'array', items: { type: 'string', format: 'date' }, minItems: 2, maxItems: 3 },
      (v) =>
        Array.isArray(v) && v.length >= 2 && v.length <= 3 && v.every((d) => /^\d{4}-\d\d-\d\d$/.test(d)),
    ],
    [
      'anyOf',
      { anyOf: [{ type: 'null' }, { type: 'object', properties: { k: { const: 'v' } }, required: ['k'] }] },
      (v) => v === null || (v as { k?: string }).k === 'v',
    ],
  ];
  test.each(schemas)(
    'greedy json_schema (%s): a complete document that validates',
    async (_name, schema, valid) => {
      const out = await generator.run(ask, {
        maxNewTokens: 80,
        temperature: 0,
        responseFormat: { type: 'json_schema', schema },
      });
      expect(['stop', 'length']).toContain(out.finishReason);
      expect(out.json, out.text).toBeDefined();
      expect(JSON.parse(out.text)).toEqual(out.json);
      expect(valid(out.json), out.text).toBe(true);
    },
  );

  test('sampling json_object: one complete JSON object', async () => {
    for (const seed of [1, 2, 3]) {
      const out = await generator.run(ask, {
        maxNewTokens: 60,
        doSample: true,
        seed,
        responseFormat: { type: 'json_object' },
      });
      expect(out.json, out.text).toBeTypeOf('object');
      expect(Array.isArray(out.json)).toBe(false);
    }
  });

  test('a regex', async () => {
    const out = await generator.run('Code:', {
      maxNewTokens: 20,
      temperature: 0,
      responseFormat: { type: 'regex', pattern: '[A-Z]{3}-\\d{2,4}' },
    });
    expect(out.text).toMatch(/^[A-Z]{3}-\d{2,4}$/);
  });

  test('maxNewTokens too small for the schema: length, no json', async () => {
    const schema = {
      type: 'object',
      properties: { long: { type: 'string', minLength: 40 } },
      required: ['long'],
    };
    const out = await generator.run(ask, {
      maxNewTokens: 10,
      temperature: 0,
      responseFormat: { type: 'json_schema', schema },
    });
    expect(out.finishReason).toBe('length');
    expect(out.json).toBeUndefined();
  });

  test('a constraint that allows any text gives the plain greedy answer (the model directly, no batcher)', async () => {
    const model = generator.model as Gemma3ForCausalLM;
    const inputIds = [generator.tokenizer.encode('Once upon a time')];
    const options = { inputIds, maxNewTokens: 24, temperature: 0 };
    const plain = await model.generate(options);
    const tokens = plain.newTokens[0] as number[];
    // precondition: the plain answer used text tokens only (a random model may pick unused ones, which a constraint never allows)
    const vocabulary = vocabularyOf(generator.tokenizer);
    expect(
      tokens.filter((id) => ![1, 106].includes(id)).every((id) => vocabulary.tokenBytes[id] != null),
    ).toBe(true);
    const grammar = compileRegexGrammar('[\\s\\S]*', vocabulary);
    const constrained = await model.generate({ ...options, constraints: [grammar.constraint()] });
    expect(constrained.newTokens).toEqual(plain.newTokens);
    expect(constrained.finishReasons).toEqual(plain.finishReasons);
  });

  test('bad formats and schemas are typed errors naming what is wrong', async () => {
    await expect(generator.run(ask, { responseFormat: { type: 'xml' } as never })).rejects.toMatchObject({
      field: 'responseFormat.type',
    });
    await expect(
      generator.run(ask, {
        responseFormat: { type: 'json_schema', schema: { type: 'number', minimum: 1 } },
      }),
    ).rejects.toBeInstanceOf(UnsupportedSchemaError);
    let deep: unknown = { type: 'string' };
    for (let i = 0; i < 60; i++) deep = { type: 'array', items: deep };
    await expect(
      generator.run(ask, { responseFormat: { type: 'json_schema', schema: deep } }),
    ).rejects.toBeInstanceOf(GrammarTooLargeError);
  });
});

describe('tools on tiny-text', { timeout: 60_000 }, () => {
  const tools = [
    {
      name: 'get_weather',
      description: 'Weather for a city',
      parameters: {
        type: 'object',
        properties: { city: { type: 'string', maxLength: 12 }, unit: { enum: ['C', 'F'] } },
        required: ['city', 'unit'],
        additionalProperties: false,
      },
    },
    {
      name: 'get_time',
      parameters: {
        type: 'object',
        properties: { zone: { type: 'string', maxLength: 6 } },
        required: ['zone'],
      },
    },
  ];
  const question = [{ role: 'user', content: 'Weather in Paris?' }];

  test('toolChoice required: one call of a defined tool, arguments valid for its schema', async () => {
    const out = await generator.run(question, {
      maxNewTokens: 80,
      temperature: 0,
      tools,
      toolChoice: 'required',
    });
    expect(out.toolCalls, out.text).toHaveLength(1);
    const call = out.toolCalls![0]!;
    expect(['get_weather', 'get_time']).toContain(call.name);
    const args = JSON.parse(call.arguments);
    if (call.name === 'get_weather') expect(['C', 'F']).toContain(args.unit);
    else expect(typeof args.zone).toBe('string');
    expect(out.messages?.at(-1)).toMatchObject({ role: 'assistant', toolCalls: out.toolCalls });
  });

  test('a named tool, then its result in a tool message, then an answer', async () => {
    const first = await generator.run(question, {
      maxNewTokens: 80,
      temperature: 0,
      tools,
      toolChoice: { name: 'get_time' },
    });
    expect(first.toolCalls?.[0]?.name).toBe('get_time');
    const next = [
      ...(first.messages ?? []),
      { role: 'tool', toolCallId: first.toolCalls![0]!.id, content: '{"time":"12:00"}' },
    ];
    const second = await generator.run(next, { maxNewTokens: 8, temperature: 0, tools, toolChoice: 'none' });
    expect(second.toolCalls).toBeUndefined();
    // the call and its result are in the second prompt (the tools prompt is not: toolChoice none)
    const rendered = generator.tokenizer.applyChatTemplate(renderToolConversation(next, undefined) as never, {
      tokenize: true,
      addGenerationPrompt: true,
    });
    expect(second.usage.promptTokens).toBe(rendered.length);
    expect(second.messages?.at(-2)).toMatchObject({ role: 'tool' });
  });

  test('unknown tool in toolChoice, tools without messages: InvalidPipelineInputError naming the field', async () => {
    await expect(generator.run(question, { tools, toolChoice: { name: 'nope' } })).rejects.toMatchObject({
      field: 'toolChoice',
    });
    await expect(generator.run('text', { tools, toolChoice: 'required' })).rejects.toBeInstanceOf(
      InvalidPipelineInputError,
    );
  });
});
