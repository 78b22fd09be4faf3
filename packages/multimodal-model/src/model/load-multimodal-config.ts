import { join } from 'node:path';
import { ConfigValidationError, type Gemma3Config, parseModelConfig, readJsonFile } from '@gemma3/config';

/**
 * `dir/config.json` of a multimodal Gemma 3. The reference allows `image_token_index` to equal the
 * text vocab size (the id is outside the embedding and replaced by 0 before the lookup); @gemma3/config
 * currently requires it to be < vocab_size, so the field is validated here (integer >= 0) and the rest
 * of the file by @gemma3/config.
 */
export async function loadMultimodalConfig(dir: string): Promise<Gemma3Config> {
  const file = join(dir, 'config.json');
  const json = await readJsonFile(file);
  const raw = (json as { image_token_index?: unknown } | null)?.image_token_index;
  if (raw === undefined || typeof json !== 'object' || json === null)
    return requireMultimodal(parseModelConfig(json, file), file);
  if (typeof raw !== 'number' || !Number.isSafeInteger(raw) || raw < 0) {
    throw new ConfigValidationError({
      file,
      field: 'image_token_index',
      reason: `must be an integer >= 0, got ${JSON.stringify(raw)}`,
    });
  }
  const parsed = requireMultimodal(parseModelConfig({ ...json, image_token_index: 0 }, file), file);
  return { ...parsed, image_token_index: raw };
}

function requireMultimodal(config: ReturnType<typeof parseModelConfig>, file: string): Gemma3Config {
  if (config.model_type !== 'gemma3') {
    throw new ConfigValidationError({
      file,
      field: 'model_type',
      reason: 'expected gemma3 (a multimodal checkpoint); use @gemma3/text-model for gemma3_text',
    });
  }
  return config;
}
