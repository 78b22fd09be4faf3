import { WeightsError } from './weights-error.js';

/** `model.safetensors.index.json` is malformed, or disagrees with the shards it names. */
export class CheckpointIndexError extends WeightsError {
  constructor(file: string, reason: string, tensor?: string, cause?: unknown) {
    super({ code: 'checkpoint/index', file, tensor, cause, message: reason });
  }
}
