import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidPreprocessorConfigError } from './errors/invalid-preprocessor-config-error.js';
import type { PreprocessorConfigJson } from './settings.js';

/** Reads `<dir>/preprocessor_config.json` as JSON (validation happens in `resolvePreprocessorConfig`). */
export async function readPreprocessorConfig(
  dir: string,
): Promise<{ json: PreprocessorConfigJson; file: string }> {
  const file = join(dir, 'preprocessor_config.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new InvalidPreprocessorConfigError(
      '(file)',
      `cannot read the file: ${(cause as Error).message}`,
      file,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new InvalidPreprocessorConfigError('(file)', `not valid JSON: ${(cause as Error).message}`, file);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new InvalidPreprocessorConfigError('(root)', 'expected a JSON object', file);
  }
  return { json: json as PreprocessorConfigJson, file };
}
