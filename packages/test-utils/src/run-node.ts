import { spawn } from 'node:child_process';

// tsx (a root dev dependency) resolved from here, so `cwd` may be any folder (a temp folder too).
const tsx = import.meta.resolve('tsx');

export interface RunResult {
  /** Exit code (null when killed by a signal). */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunNodeOptions {
  cwd: string;
  /** Added to this process's environment. */
  env?: Record<string, string>;
  /** Written to the child's stdin, which is then closed (default: closed empty). */
  stdin?: string;
  /** Killed (SIGKILL) after this long; the result then has `signal`. Default: no limit. */
  timeoutMs?: number;
}

/**
 * Runs a TypeScript file of the workspace as a user would from the sources:
 * `node --conditions=@gemma3/source --import tsx FILE ...args` in `cwd`, collecting its output.
 */
export function runTsFile(
  file: string,
  args: readonly string[],
  options: RunNodeOptions,
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=@gemma3/source', '--import', tsx, file, ...args], {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    child.stdin.end(options.stdin ?? '');
  });
}
