import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Gemma3TextConfig } from '@gemma3/config';
import type { ExportDtype } from '../layout.js';

/** Files copied unchanged from the checkpoint when present (tokenizer, generation, processor). */
export const COPIED_FILES = [
  'generation_config.json',
  'tokenizer.json',
  'tokenizer_config.json',
  'tokenizer.model',
  'special_tokens_map.json',
  'added_tokens.json',
  'chat_template.json',
  'chat_template.jinja',
  'preprocessor_config.json',
  'processor_config.json',
] as const;

/** Copies the files of `COPIED_FILES` that exist; returns the names copied. */
export async function copyCheckpointFiles(modelDir: string, outDir: string): Promise<string[]> {
  const copied: string[] = [];
  for (const name of COPIED_FILES) {
    try {
      await copyFile(join(modelDir, name), join(outDir, name));
      copied.push(name);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  return copied;
}

/**
 * The checkpoint's config.json with what transformers.js needs filled in: released configs are sparse
 * (gemma-3-4b-it names 6 text fields) and transformers.js reads the cache shape from
 * `num_key_value_heads`, `num_hidden_layers` and `head_dim` of the text config without defaults; and
 * a `transformers.js_config` naming the exported dtype (the default when the loader names none) and
 * the graphs with external data.
 */
export async function writeConfig(
  modelDir: string,
  outDir: string,
  text: Gemma3TextConfig,
  dtype: ExportDtype,
  externalData: Readonly<Record<string, number>>,
): Promise<void> {
  const raw = JSON.parse(await readFile(join(modelDir, 'config.json'), 'utf8')) as Record<string, unknown>;
  const filled = {
    vocab_size: text.vocab_size,
    hidden_size: text.hidden_size,
    intermediate_size: text.intermediate_size,
    num_hidden_layers: text.num_hidden_layers,
    num_attention_heads: text.num_attention_heads,
    num_key_value_heads: text.num_key_value_heads,
    head_dim: text.head_dim,
    sliding_window: text.sliding_window,
    layer_types: text.layer_types,
  };
  const out: Record<string, unknown> =
    raw.model_type === 'gemma3'
      ? { ...raw, text_config: { ...(raw.text_config as object | undefined), ...filled } }
      : { ...raw, ...filled };
  out['transformers.js_config'] = {
    ...(raw['transformers.js_config'] as object | undefined),
    dtype,
    use_external_data_format: externalData,
  };
  await writeFile(join(outDir, 'config.json'), `${JSON.stringify(out, null, 2)}\n`);
}
