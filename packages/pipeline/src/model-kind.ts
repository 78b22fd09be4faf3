import { join } from 'node:path';
import { readJsonFile } from '@gemma3/config';
import { UnsupportedModelError } from './errors/unsupported-model-error.js';

/** `text`: Gemma3ForCausalLM (gemma3_text, e.g. gemma-3-1b-it); `multimodal`: Gemma3ForConditionalGeneration. */
export type ModelKind = 'text' | 'multimodal';

export interface ModelKindInfo {
  kind: ModelKind;
  modelType: 'gemma3' | 'gemma3_text';
  architectures: string[];
}

const TEXT_ARCHITECTURES = ['Gemma3ForCausalLM', 'Gemma3TextModel'];
const MULTIMODAL_ARCHITECTURES = ['Gemma3ForConditionalGeneration', 'Gemma3Model'];

/**
 * Reads `dir/config.json` and says which Gemma 3 class it is, from `model_type` (the field
 * transformers' Auto classes key on) and `architectures` (checked to agree when present).
 * Anything else is an UnsupportedModelError naming what the file says.
 */
export async function detectModelKind(dir: string): Promise<ModelKindInfo> {
  const file = join(dir, 'config.json');
  const json = (await readJsonFile(file)) as unknown;
  const record = typeof json === 'object' && json !== null ? (json as Record<string, unknown>) : {};
  const modelType = typeof record.model_type === 'string' ? record.model_type : undefined;
  const architectures = Array.isArray(record.architectures)
    ? record.architectures.filter((a): a is string => typeof a === 'string')
    : [];
  const allowed =
    modelType === 'gemma3_text' ? TEXT_ARCHITECTURES : modelType === 'gemma3' ? MULTIMODAL_ARCHITECTURES : [];
  if (allowed.length === 0 || (architectures.length > 0 && !architectures.some((a) => allowed.includes(a)))) {
    throw new UnsupportedModelError(file, modelType, architectures);
  }
  return {
    kind: modelType === 'gemma3' ? 'multimodal' : 'text',
    modelType: modelType as 'gemma3' | 'gemma3_text',
    architectures,
  };
}
