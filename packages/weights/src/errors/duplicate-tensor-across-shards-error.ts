import { WeightsError } from './weights-error.js';

/** A tensor found in a shard other than the one the index assigns it to (so it exists twice). */
export class DuplicateTensorAcrossShardsError extends WeightsError {
  constructor(
    file: string,
    tensor: string,
    readonly indexedShard: string,
  ) {
    super({
      code: 'checkpoint/duplicate-tensor',
      file,
      tensor,
      message: `tensor also present here, but the index assigns it to ${indexedShard}`,
    });
  }
}
