import { Tokenizer } from '../tokenizer.js';

/** A Tokenizer from an in-memory tokenizer.json object (and optional config), as if read from `file`. */
export function tokenizerFromJson(
  tokenizerJson: unknown,
  config: Record<string, unknown> | null = null,
  file = 'memory/tokenizer.json',
): Tokenizer {
  return new Tokenizer({ tokenizerJsonPath: file, tokenizerJson, prebuilt: null, configPath: null, config });
}
