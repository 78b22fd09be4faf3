import { createProgressBar, resolveModel } from '@gemma3/hub';
import { InvalidPipelineInputError } from './errors/invalid-pipeline-input-error.js';
import type { LoadModelOptions } from './pipeline-options.js';
import { visionWeightOpsOf, weightOpsOf } from './weight-ops.js';

/**
 * A local folder or a Hugging Face model id to a local folder (@gemma3/hub: cache layout, downloads,
 * offline). A download progress bar is drawn on stderr when `progress` is on (default: stderr is a TTY).
 */
export async function resolveModelFolder(model: string, options: LoadModelOptions = {}): Promise<string> {
  if (typeof model !== 'string' || model === '') {
    throw new InvalidPipelineInputError('model', 'expected a local folder or a Hugging Face model id');
  }
  checkDtype(options);
  const progress = options.progress ?? process.stderr.isTTY === true;
  const hub = options.hub ?? {};
  return resolveModel(model, {
    ...hub,
    ...(hub.onProgress === undefined && progress ? { onProgress: createProgressBar() } : {}),
  });
}

/** Checks `dtype` and the quantization options before anything is downloaded or built. */
export function checkDtype(options: LoadModelOptions): void {
  weightOpsOf(options);
  visionWeightOpsOf(options);
}
