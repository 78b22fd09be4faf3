import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { chatBody, post, startTestServer, type TestServer } from './test-utils/start-server.js';

// response_format / tools / tool_choice validation: every bad request is a 400 naming the field,
// answered before anything is queued (the fake backend never runs).
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});

afterAll(async () => {
  await server?.close();
});

const weather = {
  type: 'function',
  function: {
    name: 'get_weather',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

function deepSchema(levels: number): unknown {
  let schema: unknown = { type: 'string' };
  for (let i = 0; i < levels; i++) schema = { type: 'array', items: schema };
  return schema;
}

describe('structured output requests: bad input is a 400 naming the field', () => {
  test.each([
    [{ response_format: { type: 'xml' } }, 'response_format.type', 'invalid_value'],
    [
      { response_format: { type: 'json_schema', json_schema: { schema: {} } } },
      'response_format.json_schema.name',
      'missing_required_parameter',
    ],
    [
      {
        response_format: {
          type: 'json_schema',
          json_schema: { name: 'x', schema: { type: 'number', minimum: 3 } },
        },
      },
      'response_format.json_schema.schema',
      'invalid_schema',
    ],
    [
      {
        response_format: {
          type: 'json_schema',
          json_schema: { name: 'x', schema: { type: 'string', pattern: '(?=a)' } },
        },
      },
      'response_format.json_schema.schema',
      'invalid_schema',
    ],
    [
      { response_format: { type: 'json_schema', json_schema: { name: 'x', schema: deepSchema(200) } } },
      'response_format.json_schema.schema',
      'invalid_schema',
    ],
    [
      {
        response_format: {
          type: 'json_schema',
          json_schema: {
            name: 'x',
            schema: { type: 'array', items: { type: 'string', maxLength: 1000 }, maxItems: 1000 },
          },
        },
      },
      'response_format.json_schema.schema',
      'invalid_schema',
    ],
    [{ response_format: { type: 'json_object', extra: 1 } }, 'response_format.extra', 'unknown_parameter'],
    [{ tools: {} }, 'tools', 'invalid_type'],
    [{ tools: [{ type: 'retrieval' }] }, 'tools[0].type', 'invalid_value'],
    [{ tools: [{ type: 'function', function: { name: 'a b' } }] }, 'tools[0].function.name', 'invalid_value'],
    [{ tools: [weather, weather] }, 'tools[1].function.name', 'invalid_value'],
    [
      { tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object', oneOf: [] } } }] },
      'tools[0].function.parameters',
      'invalid_schema',
    ],
    [
      { tools: [weather], tool_choice: { type: 'function', function: { name: 'nope' } } },
      'tool_choice.function.name',
      'invalid_value',
    ],
    [{ tools: [weather], tool_choice: 'sometimes' }, 'tool_choice', 'invalid_value'],
    [{ tool_choice: 'required' }, 'tool_choice', 'invalid_value'],
    [
      { tools: [weather], response_format: { type: 'json_object' } },
      'response_format',
      'unsupported_parameter',
    ],
    [
      { messages: [{ role: 'function', content: 'x', name: 'f' }] },
      'messages[0].role',
      'unsupported_parameter',
    ],
    [
      { messages: [{ role: 'tool', content: 'x' }] },
      'messages[0].tool_call_id',
      'missing_required_parameter',
    ],
    [
      {
        messages: [
          {
            role: 'assistant',
            tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{' } }],
          },
        ],
      },
      'messages[0].tool_calls[0].function.arguments',
      'invalid_value',
    ],
  ])('%j -> 400 at %s', async (extra, param, code) => {
    const started = performance.now();
    const res = await post(`${server.url}/v1/chat/completions`, chatBody(extra));
    expect(res.status, res.text).toBe(400);
    expect(res.body.error.param).toBe(param);
    expect(res.body.error.code).toBe(code);
    expect(performance.now() - started).toBeLessThan(10_000); // bounded compile, nothing hangs
    expect(server.backend.calls).toHaveLength(0);
  });

  test('a valid request with all the fields reaches the backend with them', async () => {
    const res = await post(
      `${server.url}/v1/chat/completions`,
      chatBody({
        tools: [weather],
        tool_choice: { type: 'function', function: { name: 'get_weather' } },
        parallel_tool_calls: false,
        messages: [
          { role: 'user', content: 'Weather?' },
          {
            role: 'assistant',
            content: null,
            tool_calls: [
              { id: 'c1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } },
            ],
          },
          { role: 'tool', tool_call_id: 'c1', content: '{"temp": 3}' },
        ],
      }),
    );
    expect(res.status, res.text).toBe(200);
    const call = server.backend.calls.at(-1)!;
    expect(call.sampling.structured).toEqual({
      tools: [{ name: 'get_weather', parameters: weather.function.parameters }],
      toolChoice: { name: 'get_weather' },
    });
    expect(call.input).toMatchObject({
      kind: 'chat',
      messages: [
        { role: 'user' },
        { role: 'assistant', toolCalls: [{ id: 'c1', name: 'get_weather', arguments: '{"city":"Oslo"}' }] },
        { role: 'tool', toolCallId: 'c1', content: '{"temp": 3}' },
      ],
    });
  });
});
