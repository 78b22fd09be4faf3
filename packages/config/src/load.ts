import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigFileError } from './errors/config-file-error.js';
import {
  defaultGenerationConfig,
  type GenerationConfig,
  parseGenerationConfig,
} from './generation-config.js';
import { type ModelConfig, parseModelConfig } from './model-config.js';
import { type Gemma3ProcessorConfig, parsePreprocessorConfig } from './preprocessor-config.js';

/** Reads and parses a JSON file; undefined when `optional` and the file does not exist. */
export async function readJsonFile(file: string, optional = false): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    if (optional && (cause as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ConfigFileError({ file, reason: `cannot be read (${(cause as Error).message})`, cause });
  }
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new ConfigFileError({ file, reason: `is not valid JSON (${(cause as Error).message})`, cause });
  }
}

/** `dir/config.json`, parsed and validated. */
export async function loadModelConfig(dir: string): Promise<ModelConfig> {
  const file = join(dir, 'config.json');
  return parseModelConfig(await readJsonFile(file), file);
}

/**
 * `dir/generation_config.json`; ids absent from it (or the whole file when absent) come from the model
 * config: `model` when given, else `dir/config.json`.
 */
export async function loadGenerationConfig(dir: string, model?: ModelConfig): Promise<GenerationConfig> {
  const file = join(dir, 'generation_config.json');
  const json = await readJsonFile(file, true);
  const config = model ?? (await loadModelConfig(dir));
  return json === undefined ? defaultGenerationConfig(config) : parseGenerationConfig(json, file, config);
}

/** `dir/preprocessor_config.json` (required) merged with `dir/processor_config.json` (optional). */
export async function loadPreprocessorConfig(dir: string): Promise<Gemma3ProcessorConfig> {
  const file = join(dir, 'preprocessor_config.json');
  const processorFile = join(dir, 'processor_config.json');
  const processorJson = await readJsonFile(processorFile, true);
  return parsePreprocessorConfig(await readJsonFile(file), file, processorJson, processorFile);
}
