import { WeightsError } from './weights-error.js';

/** A shard named by the index does not exist (or is not a file). */
export class ShardMissingError extends WeightsError {
  constructor(
    readonly indexFile: string,
    shard: string,
    readonly shardName: string,
  ) {
    super({
      code: 'checkpoint/shard-missing',
      file: shard,
      message: `shard named in ${indexFile} is missing`,
    });
  }
}
