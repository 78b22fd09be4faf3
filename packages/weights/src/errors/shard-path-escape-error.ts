import { WeightsError } from './weights-error.js';

/** A shard name that is absolute, climbs out with `..`, or is a link resolving outside the folder. */
export class ShardPathEscapeError extends WeightsError {
  constructor(
    indexFile: string,
    readonly shardName: string,
    readonly folder: string,
  ) {
    super({
      code: 'checkpoint/shard-path-escape',
      file: indexFile,
      message: `shard ${JSON.stringify(shardName).slice(0, 200)} resolves outside the folder ${folder}`,
    });
  }
}
