import { WeightsError } from './weights-error.js';

/** A folder with neither `model.safetensors` nor `model.safetensors.index.json`. */
export class CheckpointNotFoundError extends WeightsError {
  constructor(folder: string) {
    super({
      code: 'checkpoint/not-found',
      file: folder,
      message: 'no model.safetensors or model.safetensors.index.json in this folder',
    });
  }
}
