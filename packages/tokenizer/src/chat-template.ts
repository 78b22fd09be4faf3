import {
  Environment as JinjaEnvironment,
  Interpreter as JinjaInterpreter,
  Template,
} from '@huggingface/jinja';
import { cutAtTag, tagFinalMessage } from './continue-final-message.js';
import { ChatTemplateExceptionError } from './errors/chat-template-exception-error.js';
import { ChatTemplateLimitError } from './errors/chat-template-limit-error.js';
import { ChatTemplateRenderError } from './errors/chat-template-render-error.js';
import { ContinueFinalMessageError } from './errors/continue-final-message-error.js';

export type ChatContentItem = { type: 'text'; text: string } | { type: 'image'; [key: string]: unknown };

export interface ChatMessage {
  role: string;
  content: string | readonly ChatContentItem[];
}

/** Bounds on one render; a template that goes past one stops with ChatTemplateLimitError. */
export interface ChatTemplateLimits {
  /** Template AST nodes evaluated plus blocks run (one per loop iteration). Default 10,000,000. */
  maxSteps?: number;
  /** Wall time in milliseconds. Default 5,000. */
  timeoutMs?: number;
  /** Characters of all strings produced while evaluating, summed (bounds output and string blow-up). Default 64 Mi. */
  maxStringChars?: number;
  /** Length of any list built (`range(...)`, list concatenation). Default 1,000,000. */
  maxListLength?: number;
}

export interface ChatTemplateOptions {
  /** Append the prompt for the model's turn (`<start_of_turn>model\n`). Default false. */
  addGenerationPrompt?: boolean;
  /**
   * Leave the final message open (no `<end_of_turn>`, no generation prompt) so the model continues it,
   * as transformers' `continue_final_message=True`: prefill the start of an answer (e.g. `{`). Its
   * trailing spaces go when the template trims them. Not with `addGenerationPrompt`. Default false.
   */
  continueFinalMessage?: boolean;
  /** Return ids (the rendered prompt encoded without adding another `<bos>`) instead of text. */
  tokenize?: boolean;
  /** Use this template instead of tokenizer_config's (a template is data from a file, never from a request). */
  chatTemplate?: string;
  limits?: ChatTemplateLimits;
}

const defaultLimits: Required<ChatTemplateLimits> = {
  maxSteps: 10_000_000,
  timeoutMs: 5_000,
  maxStringChars: 64 * 2 ** 20,
  maxListLength: 1_000_000,
};

/** Thrown by the template's raise_exception; turned into ChatTemplateExceptionError. */
class TemplateRaise extends Error {}

// @huggingface/jinja's .d.ts re-exports these from './runtime' without an extension, which NodeNext
// resolution cannot follow (they come through as `any`): type the little we use here.
interface RuntimeValue {
  type: string;
  value: unknown;
}
interface Environment {
  set(name: string, value: unknown): unknown;
}
interface InterpreterInstance {
  evaluate(statement: unknown, environment: unknown): RuntimeValue;
  /** Runs once per block, also once per loop iteration even when the body is empty. */
  evaluateBlock(statements: unknown[], environment: unknown): RuntimeValue;
  run(program: unknown): RuntimeValue;
}
type EvaluateArgs = [statement: unknown, environment: unknown];
const Environment = JinjaEnvironment as new () => Environment;
const Interpreter = JinjaInterpreter as new (env: Environment) => InterpreterInstance;

/** An Interpreter that counts steps, time, characters produced and list sizes, and stops past a limit. */
class BoundedInterpreter extends Interpreter {
  private steps = 0;
  private chars = 0;
  private readonly deadline: number;

  constructor(
    env: Environment,
    private readonly limits: Required<ChatTemplateLimits>,
  ) {
    super(env);
    this.deadline = performance.now() + limits.timeoutMs;
  }

  private tick(): void {
    const { limits } = this;
    if (++this.steps > limits.maxSteps)
      throw new ChatTemplateLimitError({ limit: 'maxSteps', value: limits.maxSteps });
    if ((this.steps & 1023) === 0 && performance.now() > this.deadline) {
      throw new ChatTemplateLimitError({ limit: 'timeoutMs', value: limits.timeoutMs });
    }
  }

  override evaluateBlock(statements: unknown[], environment: unknown): RuntimeValue {
    this.tick();
    return super.evaluateBlock(statements, environment);
  }

  override evaluate(...args: EvaluateArgs): RuntimeValue {
    this.tick();
    const { limits } = this;
    const result = super.evaluate(...args);
    if (result.type === 'StringValue') {
      this.chars += (result.value as string).length;
      if (this.chars > limits.maxStringChars) {
        throw new ChatTemplateLimitError({ limit: 'maxStringChars', value: limits.maxStringChars });
      }
    } else if (Array.isArray(result.value) && result.value.length > limits.maxListLength) {
      throw new ChatTemplateLimitError({ limit: 'maxListLength', value: limits.maxListLength });
    }
    return result;
  }
}

const parsedTemplates = new Map<string, Template>();

function parseTemplate(source: string): Template {
  let template = parsedTemplates.get(source);
  if (template === undefined) {
    try {
      template = new Template(source);
    } catch (cause) {
      throw new ChatTemplateRenderError({ reason: `does not parse: ${(cause as Error).message}`, cause });
    }
    if (parsedTemplates.size > 32) parsedTemplates.clear();
    parsedTemplates.set(source, template);
  }
  return template;
}

/** Renders `source` with the variables transformers passes (messages, add_generation_prompt, *_token). */
export function renderChatTemplate(
  source: string | null,
  messages: readonly ChatMessage[],
  options: ChatTemplateOptions,
  config: Record<string, unknown>,
): string {
  if (source === null)
    throw new ChatTemplateRenderError({ reason: 'tokenizer_config.json has no chat_template' });
  if (!Array.isArray(messages)) throw new ChatTemplateRenderError({ reason: 'messages must be an array' });
  messages.forEach((message, i) => {
    if (typeof message !== 'object' || message === null || typeof message.role !== 'string') {
      throw new ChatTemplateRenderError({ reason: `messages[${i}] must be an object with a string role` });
    }
  });
  const continueFinal = options.continueFinalMessage ?? false;
  if (continueFinal && options.addGenerationPrompt) {
    throw new ContinueFinalMessageError({
      reason: 'not with addGenerationPrompt (continue the final message, or prompt a new model turn)',
    });
  }
  const limits = { ...defaultLimits, ...options.limits };
  const template = parseTemplate(source);

  const env = new Environment();
  env.set('false', false);
  env.set('true', true);
  env.set('none', null);
  env.set('False', false);
  env.set('True', true);
  env.set('None', null);
  env.set('raise_exception', (message: unknown) => {
    throw new TemplateRaise(String(message));
  });
  env.set('range', (start: number, stop?: number, step = 1) =>
    boundedRange(start, stop, step, limits.maxListLength),
  );
  env.set('strftime_now', (format: unknown) => strftime(new Date(), String(format)));
  for (const [key, value] of Object.entries(config)) {
    if (key.endsWith('_token')) {
      const content = typeof value === 'string' ? value : (value as { content?: unknown } | null)?.content;
      if (typeof content === 'string') env.set(key, content);
    }
  }
  env.set('messages', continueFinal ? tagFinalMessage(messages) : messages);
  env.set('add_generation_prompt', options.addGenerationPrompt ?? false);

  let rendered: string;
  try {
    rendered = String(new BoundedInterpreter(env, limits).run(template.parsed).value);
  } catch (error) {
    if (error instanceof TemplateRaise)
      throw new ChatTemplateExceptionError({ templateMessage: error.message });
    if (error instanceof ChatTemplateLimitError) throw error;
    throw new ChatTemplateRenderError({ reason: (error as Error)?.message ?? String(error), cause: error });
  }
  return continueFinal ? cutAtTag(rendered) : rendered;
}

function boundedRange(start: number, stop: number | undefined, step: number, maxLength: number): number[] {
  if (stop === undefined) {
    stop = start;
    start = 0;
  }
  if (![start, stop, step].every(Number.isInteger)) throw new Error('range() arguments must be integers');
  if (step === 0) throw new Error('range() step must not be zero');
  const count = Math.max(0, Math.ceil((stop - start) / step));
  if (count > maxLength) throw new ChatTemplateLimitError({ limit: 'maxListLength', value: maxLength });
  return Array.from({ length: count }, (_, i) => start + i * step);
}

const monthNames = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const dayNames = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** Python's strftime for the directives chat templates use (local time); `%%` is a percent sign. */
export function strftime(date: Date, format: string): string {
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return format.replace(/%([%aAbBdHIjmMpSyY])/g, (_, directive: string) => {
    switch (directive) {
      case 'a':
        return dayNames[date.getDay()]!.slice(0, 3);
      case 'A':
        return dayNames[date.getDay()]!;
      case 'b':
        return monthNames[date.getMonth()]!.slice(0, 3);
      case 'B':
        return monthNames[date.getMonth()]!;
      case 'd':
        return pad(date.getDate());
      case 'H':
        return pad(date.getHours());
      case 'I':
        return pad(((date.getHours() + 11) % 12) + 1);
      case 'j': {
        const days =
          Date.UTC(date.getFullYear(), date.getMonth(), date.getDate()) - Date.UTC(date.getFullYear(), 0, 1);
        return pad(days / 86_400_000 + 1, 3);
      }
      case 'm':
        return pad(date.getMonth() + 1);
      case 'M':
        return pad(date.getMinutes());
      case 'p':
        return date.getHours() < 12 ? 'AM' : 'PM';
      case 'S':
        return pad(date.getSeconds());
      case 'y':
        return pad(date.getFullYear() % 100);
      case 'Y':
        return String(date.getFullYear());
      default:
        return '%';
    }
  });
}
