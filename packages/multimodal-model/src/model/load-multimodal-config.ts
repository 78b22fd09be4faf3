import { join } from 'node:path';
import { ConfigValidationError, type Gemma3Config, loadModelConfig } from '@gemma3/config';

/** `dir/config.json` of a multimodal Gemma 3 (`model_type: gemma3`), parsed by @gemma3/config. */
export async function loadMultimodalConfig(dir: string): Promise<Gemma3Config> {
  const config = await loadModelConfig(dir);
  if (config.model_type !== 'gemma3') {
    throw new ConfigValidationError({
      file: join(dir, 'config.json'),
      field: 'model_type',
      reason: 'expected gemma3 (a multimodal checkpoint); use @gemma3/text-model for gemma3_text',
    });
  }
  return config;
}
