import { Tokenizer } from '@gemma3/tokenizer';
import { detectModelKind } from './model-kind.js';
import type { LoadModelOptions } from './pipeline-options.js';
import { resolveModelFolder } from './resolve-model-folder.js';

/** The tokenizer of a Gemma 3 folder or model id (config.json checked to be Gemma 3 first). */
export const AutoTokenizer = {
  async fromPretrained(model: string, options: LoadModelOptions = {}): Promise<Tokenizer> {
    const dir = await resolveModelFolder(model, options);
    await detectModelKind(dir);
    return Tokenizer.fromPretrained(dir);
  },
};
