import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { runTsFile } from './run-node.js';

describe('runTsFile', { timeout: 30_000 }, () => {
  test('runs TypeScript with stdin, arguments and environment; reports the exit code and both streams', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gemma3-run-node-'));
    try {
      const file = join(dir, 'echo.mts');
      await writeFile(
        file,
        [
          "let input = '';",
          'for await (const chunk of process.stdin) input += chunk;',
          'const n: number = input.length;',
          "console.log([process.argv[2], process.env.RUN_NODE_TEST, n].join(' '));",
          "console.error('to stderr');",
          'process.exit(3);',
        ].join('\n'),
      );
      const result = await runTsFile(file, ['arg'], {
        cwd: dir,
        stdin: 'hello',
        env: { RUN_NODE_TEST: 'env' },
      });
      expect(result).toEqual({ code: 3, signal: null, stdout: 'arg env 5\n', stderr: 'to stderr\n' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
