import { Gemma3Error } from '@gemma3/errors';

export type LocalModelProblem = 'missing' | 'not-a-directory' | 'no-config';

/** A local model path that does not exist, is not a folder, or has no config.json. */
export class LocalModelNotFoundError extends Gemma3Error {
  readonly path: string;
  readonly problem: LocalModelProblem;

  constructor(path: string, problem: LocalModelProblem) {
    const what = {
      missing: 'does not exist',
      'not-a-directory': 'is not a folder',
      'no-config': 'has no config.json (is it a Hugging Face model folder?)',
    }[problem];
    super({ code: 'hub/local-model-not-found', message: `local model folder ${path} ${what}` });
    this.path = path;
    this.problem = problem;
  }
}
