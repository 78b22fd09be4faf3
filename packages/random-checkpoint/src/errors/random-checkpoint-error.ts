import { Gemma3Error } from '@gemma3/errors';

/** Bad options for createRandomCheckpoint: unknown preset, invalid seed, output folder not empty... */
export class RandomCheckpointError extends Gemma3Error {
  readonly option: string;
  readonly reason: string;

  constructor({ option, reason, cause }: { option: string; reason: string; cause?: unknown }) {
    super({ code: 'random-checkpoint/invalid-option', message: `${option}: ${reason}`, cause });
    this.option = option;
    this.reason = reason;
  }
}
