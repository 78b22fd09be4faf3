import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidProcessorInputError } from './errors/invalid-processor-input-error.js';

async function readOptional(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new InvalidProcessorInputError(file, `cannot read: ${(cause as Error).message}`);
  }
}

/**
 * The processor's own chat template, as transformers looks for it: `chat_template.jinja`, then
 * `chat_template.json` (`{ "chat_template": "..." }`). Undefined: use the tokenizer_config.json one.
 */
export async function readProcessorChatTemplate(dir: string): Promise<string | undefined> {
  const jinja = await readOptional(join(dir, 'chat_template.jinja'));
  if (jinja !== undefined) return jinja;
  const jsonFile = join(dir, 'chat_template.json');
  const json = await readOptional(jsonFile);
  if (json === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (cause) {
    throw new InvalidProcessorInputError(jsonFile, `not valid JSON: ${(cause as Error).message}`);
  }
  const template = (parsed as { chat_template?: unknown } | null)?.chat_template;
  if (typeof template !== 'string')
    throw new InvalidProcessorInputError(jsonFile, 'expected { "chat_template": string }');
  return template;
}
