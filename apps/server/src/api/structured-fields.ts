import { Gemma3Error } from '@gemma3/errors';
import { checkJsonSchema } from '@gemma3/pipeline';
import { InvalidRequestError } from '../errors/invalid-request-error.js';
import { jsonType, RequestFields } from './request-fields.js';

/** A tool as the backend takes it (OpenAI's `{ type: 'function', function }`, flattened). */
export interface RequestTool {
  name: string;
  description?: string;
  parameters?: unknown;
}

/** response_format, tools and tool_choice of a chat request, validated. */
export interface StructuredRequest {
  responseFormat?: { type: 'json_object' } | { type: 'json_schema'; schema: unknown };
  tools?: RequestTool[];
  toolChoice?: 'auto' | 'none' | 'required' | { name: string };
}

const MAX_TOOLS = 128;
/** Bytes of JSON a schema may take (bounded before compiling it). */
const MAX_SCHEMA_BYTES = 256 * 1024;

/**
 * Reads `response_format`, `tools`, `tool_choice` and `parallel_tool_calls` of a chat body. Every
 * schema is checked here (compiled to its automaton, within bounds), so an invalid, unsupported,
 * too large or too deep schema is a 400 naming its field before anything is queued.
 */
export function readStructured(fields: RequestFields): StructuredRequest | undefined {
  const out: StructuredRequest = {};
  const format = fields.raw('response_format');
  if (format !== undefined) {
    const f = RequestFields.of(format, 'response_format');
    const type = f.string('type', { required: true });
    if (type === 'json_object') out.responseFormat = { type: 'json_object' };
    else if (type === 'json_schema') {
      const js = RequestFields.of(f.raw('json_schema') ?? {}, 'response_format.json_schema');
      js.string('name', { required: true, nonEmpty: true });
      js.string('description');
      js.boolean('strict'); // constrained decoding always follows the schema: strict or not
      const schema = js.raw('schema') ?? {};
      checkSchema(schema, 'response_format.json_schema.schema');
      js.rejectUnread();
      out.responseFormat = { type: 'json_schema', schema };
    } else if (type !== 'text') {
      throw new InvalidRequestError(
        `'response_format.type' = ${JSON.stringify(type)}; expected "text", "json_object" or "json_schema"`,
        'response_format.type',
        'invalid_value',
      );
    }
    f.rejectUnread();
  }
  const tools = fields.raw('tools');
  if (tools !== undefined) out.tools = readTools(tools);
  const choice = fields.raw('tool_choice');
  if (choice !== undefined) out.toolChoice = readToolChoice(choice, out.tools ?? []);
  fields.boolean('parallel_tool_calls'); // at most one call per answer, which both values allow
  if (
    out.tools !== undefined &&
    out.tools.length > 0 &&
    out.responseFormat !== undefined &&
    out.toolChoice !== 'none'
  ) {
    throw new InvalidRequestError(
      "'response_format' together with 'tools' is not supported (unless tool_choice is \"none\")",
      'response_format',
      'unsupported_parameter',
    );
  }
  return out.responseFormat === undefined && out.tools === undefined && out.toolChoice === undefined
    ? undefined
    : out;
}

function readTools(value: unknown): RequestTool[] {
  if (!Array.isArray(value)) {
    throw new InvalidRequestError(
      `'tools' must be an array, got ${jsonType(value)}`,
      'tools',
      'invalid_type',
    );
  }
  if (value.length > MAX_TOOLS) {
    throw new InvalidRequestError(
      `'tools' has ${value.length} tools; at most ${MAX_TOOLS}`,
      'tools',
      'invalid_value',
    );
  }
  const names = new Set<string>();
  return value.map((tool, i) => {
    const t = RequestFields.of(tool, `tools[${i}]`);
    const type = t.string('type', { required: true });
    if (type !== 'function') {
      throw new InvalidRequestError(
        `'tools[${i}].type' = ${JSON.stringify(type)}; expected "function"`,
        `tools[${i}].type`,
        'invalid_value',
      );
    }
    const fn = RequestFields.of(t.raw('function'), `tools[${i}].function`);
    const name = fn.string('name', { required: true, nonEmpty: true }) as string;
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(name)) {
      throw new InvalidRequestError(
        `'tools[${i}].function.name' must be 1-64 letters, digits, _ . -`,
        `tools[${i}].function.name`,
        'invalid_value',
      );
    }
    if (names.has(name)) {
      throw new InvalidRequestError(
        `'tools[${i}].function.name': duplicate tool name ${name}`,
        `tools[${i}].function.name`,
        'invalid_value',
      );
    }
    names.add(name);
    const description = fn.string('description');
    fn.boolean('strict');
    const parameters = fn.raw('parameters');
    if (parameters !== undefined) checkSchema(parameters, `tools[${i}].function.parameters`);
    fn.rejectUnread();
    t.rejectUnread();
    return {
      name,
      ...(description === undefined ? {} : { description }),
      ...(parameters === undefined ? {} : { parameters }),
    };
  });
}

function readToolChoice(value: unknown, tools: readonly RequestTool[]): StructuredRequest['toolChoice'] {
  if (value === 'none' || value === 'auto' || value === 'required') {
    if (value !== 'none' && tools.length === 0) {
      throw new InvalidRequestError(
        `'tool_choice' = "${value}" needs 'tools'`,
        'tool_choice',
        'invalid_value',
      );
    }
    return value;
  }
  if (typeof value === 'string') {
    throw new InvalidRequestError(
      `'tool_choice' = ${JSON.stringify(value)}; expected "none", "auto", "required" or { type: "function", function: { name } }`,
      'tool_choice',
      'invalid_value',
    );
  }
  const c = RequestFields.of(value, 'tool_choice');
  const type = c.string('type', { required: true });
  if (type !== 'function') {
    throw new InvalidRequestError(
      `'tool_choice.type' = ${JSON.stringify(type)}; expected "function"`,
      'tool_choice.type',
      'invalid_value',
    );
  }
  const fn = RequestFields.of(c.raw('function'), 'tool_choice.function');
  const name = fn.string('name', { required: true }) as string;
  fn.rejectUnread();
  c.rejectUnread();
  if (!tools.some((t) => t.name === name)) {
    throw new InvalidRequestError(
      `'tool_choice.function.name' = ${JSON.stringify(name)} is not one of 'tools'`,
      'tool_choice.function.name',
      'invalid_value',
    );
  }
  return { name };
}

function checkSchema(schema: unknown, param: string): void {
  let size: number;
  try {
    size = JSON.stringify(schema).length;
  } catch {
    throw new InvalidRequestError(`'${param}' is not serializable JSON`, param, 'invalid_schema');
  }
  if (size > MAX_SCHEMA_BYTES) {
    throw new InvalidRequestError(
      `'${param}' is ${size} bytes of JSON; at most ${MAX_SCHEMA_BYTES}`,
      param,
      'invalid_schema',
    );
  }
  try {
    checkJsonSchema(schema);
  } catch (error) {
    if (!Gemma3Error.isInstance(error)) throw error;
    const at = (error as { path?: unknown }).path;
    const where = typeof at === 'string' && at !== '#' ? ` (at ${at})` : '';
    throw new InvalidRequestError(`'${param}'${where}: ${error.message}`, param, 'invalid_schema', error);
  }
}
