import {
  type CompiledGrammar,
  compileJsonGrammar,
  compileJsonSchemaGrammar,
  compileRegexGrammar,
  type GrammarConstraint,
} from '@gemma3/generation';
import type { Tokenizer } from '@gemma3/tokenizer';
import { InvalidPipelineInputError } from '../errors/invalid-pipeline-input-error.js';
import type { PipelineMessage } from '../messages.js';
import { cachedGrammar } from './grammar-cache.js';
import { checkResponseFormat, type ResponseFormat } from './response-format.js';
import {
  callableTools,
  parseToolCall,
  renderToolConversation,
  TOOL_CALL_CLOSE,
  TOOL_CALL_OPEN,
  type ToolCall,
  type ToolChoice,
  type ToolDefinition,
  type ToolMessage,
  toolCallSchema,
  toolsPrompt,
} from './tools.js';
import { vocabularyOf } from './vocabulary.js';

/** Call options for structured output and tool calling. */
export interface StructuredCallOptions {
  /** The answer's form, enforced while generating (see ResponseFormat). Default text. */
  responseFormat?: ResponseFormat;
  /** Functions the model may call (messages input only). */
  tools?: readonly ToolDefinition[];
  /** Default `auto` when tools are given. */
  toolChoice?: ToolChoice;
}

/** What a structured call adds to a GenerationOutput. */
export interface StructuredOutput {
  /** json_object / json_schema: the parsed answer, when it is a complete document. */
  json?: unknown;
  /** The calls the model made (one per answer), when it called a tool. */
  toolCalls?: ToolCall[];
}

export interface StructuredCall<I> {
  /** The input to render (tools described and tool messages rewritten). */
  input: I;
  /** The row's constraint, undefined when the answer is free text. */
  constraint: GrammarConstraint | undefined;
  finish(text: string): StructuredOutput;
}

/**
 * Prepares a call with `responseFormat` / `tools`: the prompt (tools in the system turn, tool results
 * as fenced outputs) and the grammar every token must follow. Returns undefined for a plain call.
 * Throws InvalidPipelineInputError for bad options, and the schema errors of @gemma3/generation
 * (UnsupportedSchemaError, InvalidPatternError, GrammarTooLargeError) for schemas it cannot enforce.
 */
export function prepareStructuredCall<I extends string | readonly PipelineMessage[]>(
  input: I,
  options: StructuredCallOptions,
  tokenizer: Tokenizer,
): StructuredCall<I | PipelineMessage[]> | undefined {
  if (typeof input !== 'string' && !Array.isArray(input)) return undefined; // the pipeline names the bad input
  const hasToolMessages =
    Array.isArray(input) && // anything else is the pipeline's input error, found later
    (input as readonly ToolMessage[]).some((m) => m.role === 'tool' || m.toolCalls !== undefined);
  const format =
    options.responseFormat === undefined ? undefined : checkResponseFormat(options.responseFormat);
  const wantsFormat = format !== undefined && format.type !== 'text';
  const toolsGiven = options.tools !== undefined && options.tools.length > 0;
  if (!toolsGiven && !wantsFormat && !hasToolMessages) {
    if (options.toolChoice !== undefined && options.toolChoice !== 'none' && options.toolChoice !== 'auto') {
      throw new InvalidPipelineInputError('toolChoice', 'needs tools');
    }
    return undefined;
  }
  const { tools, choice } = toolsGiven
    ? callableTools(options.tools, options.toolChoice)
    : { tools: [], choice: 'none' as const };
  const calling = toolsGiven && choice !== 'none';
  if (calling && typeof input === 'string')
    throw new InvalidPipelineInputError('tools', 'need chat messages as input');
  if (calling && wantsFormat) {
    throw new InvalidPipelineInputError(
      'responseFormat',
      'not supported together with tools (unless toolChoice is "none")',
    );
  }
  const rendered =
    typeof input === 'string'
      ? input
      : renderToolConversation(
          input as readonly ToolMessage[],
          calling ? toolsPrompt(tools, choice) : undefined,
        );
  const vocabulary = vocabularyOf(tokenizer);
  let grammar: CompiledGrammar | undefined;
  if (calling) {
    const schema = toolCallSchema(tools);
    grammar = cachedGrammar(vocabulary, `tools:${choice === 'auto'}:${JSON.stringify(schema)}`, () =>
      compileJsonSchemaGrammar(schema, vocabulary, {
        prefix: TOOL_CALL_OPEN,
        suffix: TOOL_CALL_CLOSE,
        orTextWithoutPrefix: choice === 'auto',
      }),
    );
  } else if (format?.type === 'json_object') {
    grammar = cachedGrammar(vocabulary, 'json_object', () =>
      compileJsonGrammar(vocabulary, { object: true }),
    );
  } else if (format?.type === 'json_schema') {
    grammar = cachedGrammar(vocabulary, `schema:${JSON.stringify(format.schema)}`, () =>
      compileJsonSchemaGrammar(format.schema, vocabulary),
    );
  } else if (format?.type === 'regex') {
    grammar = cachedGrammar(vocabulary, `regex:${format.pattern}`, () =>
      compileRegexGrammar(format.pattern, vocabulary),
    );
  }
  const constraint = grammar?.constraint();
  return {
    input: rendered as I | PipelineMessage[],
    constraint,
    finish(text: string): StructuredOutput {
      const complete = constraint !== undefined && (constraint.hasEnded || constraint.isComplete);
      if (calling) {
        const call = complete ? parseToolCall(text) : undefined;
        return call === undefined ? {} : { toolCalls: [call] };
      }
      if (complete && (format?.type === 'json_object' || format?.type === 'json_schema')) {
        return { json: JSON.parse(text) };
      }
      return {};
    },
  };
}
