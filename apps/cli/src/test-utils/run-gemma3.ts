import { fileURLToPath } from 'node:url';
import { type RunResult, runTsFile } from '@gemma3/test-utils';

const appDir = fileURLToPath(new URL('../..', import.meta.url));

/** The CLI as a user runs it from the TypeScript sources: a spawned `gemma3 ...args` (tsx), with stdin. */
export function runGemma3(
  args: readonly string[],
  options: { stdin?: string; env?: Record<string, string> } = {},
): Promise<RunResult> {
  return runTsFile('src/main.ts', args, { cwd: appDir, ...options });
}
