import { Gemma3Error } from '@gemma3/errors';

/** createRandomCheckpoint was pointed at a folder that already has files, without `force`. */
export class OutputDirNotEmptyError extends Gemma3Error {
  readonly dir: string;

  constructor(dir: string) {
    super({
      code: 'random-checkpoint/output-dir-not-empty',
      message: `${dir} is not empty (use force to write into it)`,
    });
    this.dir = dir;
  }
}
