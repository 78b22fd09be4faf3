import { Gemma3Processor } from '@gemma3/processor';
import { TaskModelMismatchError } from './errors/task-model-mismatch-error.js';
import { detectModelKind } from './model-kind.js';
import type { LoadModelOptions } from './pipeline-options.js';
import { resolveModelFolder } from './resolve-model-folder.js';

export interface AutoProcessorOptions extends LoadModelOptions {
  /** `fast` (default): libvips through sharp; `slow`: pure TypeScript, PIL's resize. */
  imageProcessor?: 'fast' | 'slow';
}

/**
 * The Gemma3Processor (chat template, image tokens, pixel values) of a multimodal Gemma 3. A text-only
 * model (gemma3_text) has no image processor: TaskModelMismatchError (use AutoTokenizer).
 */
export const AutoProcessor = {
  async fromPretrained(model: string, options: AutoProcessorOptions = {}): Promise<Gemma3Processor> {
    const dir = await resolveModelFolder(model, options);
    return AutoProcessor.fromFolder(dir, options);
  },

  async fromFolder(dir: string, options: AutoProcessorOptions = {}): Promise<Gemma3Processor> {
    const { kind, modelType } = await detectModelKind(dir);
    if (kind !== 'multimodal') {
      throw new TaskModelMismatchError(
        dir,
        'AutoProcessor',
        modelType,
        'a text-only model has no image processor (use AutoTokenizer)',
      );
    }
    return Gemma3Processor.fromPretrained(dir, {
      ...(options.imageProcessor === undefined ? {} : { imageProcessor: options.imageProcessor }),
    });
  },
};
