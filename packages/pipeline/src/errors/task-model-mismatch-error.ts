import { Gemma3Error } from '@gemma3/errors';

/** The model cannot do what was asked of it, e.g. images given to a text-only Gemma 3 (gemma-3-1b). */
export class TaskModelMismatchError extends Gemma3Error {
  constructor(
    /** The model folder. */
    readonly model: string,
    /** What was asked (a task name or a class, e.g. `image-text-to-text`, `AutoProcessor`). */
    readonly wanted: string,
    readonly modelType: string,
    readonly reason: string,
  ) {
    super({
      code: 'pipeline/task-model-mismatch',
      message: `${wanted} needs a multimodal Gemma 3 model, but ${model} is model_type "${modelType}": ${reason}`,
    });
  }
}
