import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runGemma3 } from './test-utils/run-gemma3.js';

// Which modules a `gemma3 ...` process loads, as recorded by test-utils/record-imports.mjs (preloaded
// through NODE_OPTIONS): start-up must not pay for packages the command does not use.
const recorder = new URL('./test-utils/record-imports.mjs', import.meta.url).href;

/**
 * The heavy packages, by where their files live (node_modules/.pnpm/<name>@...), or for the workspace's
 * by their main entry (their light entries, `@gemma3/pipeline/options` and `@gemma3/server/serve-args`,
 * load the command line's constants without it).
 */
const HEAVY: Record<string, RegExp> = {
  'onnxruntime-node': /\/node_modules\/onnxruntime-node\//,
  sharp: /\/node_modules\/sharp\//,
  '@gemma3/pipeline': /\/packages\/pipeline\/(src|dist)\/index\.[jt]s$/,
  '@gemma3/server': /\/apps\/server\/(src|dist)\/index\.[jt]s$/,
};

let root: string;
let count = 0;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'gemma3-cli-imports-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Runs `gemma3 ...args` from the sources; its exit code and the modules it loaded. */
async function loaded(...args: string[]) {
  const log = join(root, `imports-${count++}.log`);
  const result = await runGemma3(args, {
    env: {
      GEMMA3_IMPORT_LOG: log,
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${recorder}`.trim(),
    },
  });
  const modules = (await readFile(log, 'utf8')).split('\n').filter((line) => line !== '');
  const heavy = Object.keys(HEAVY).filter((name) => modules.some((m) => HEAVY[name]!.test(m)));
  return { ...result, modules, heavy };
}

describe('what gemma3 imports (spawned, from the sources)', { timeout: 60_000 }, () => {
  test.each([
    [['--help'], 0, []],
    [[], 2, []],
    [['help', 'run'], 0, ['run.ts']],
    [['run', '--help'], 0, ['run.ts']],
    [['run', '--prompt', 'hi'], 2, ['run.ts']], // --model missing: a usage error, before the pipeline loads
    [['serve', '--help'], 0, ['serve.ts']],
    [['serve', '--port', '8080'], 2, ['serve.ts']], // --model missing
  ])('gemma3 %j: exit %i, command modules %j, none of the heavy packages', async (args, exit, commands) => {
    const { code, modules, heavy } = await loaded(...args);
    expect(code).toBe(exit);
    // The log works for this run: the CLI's own modules are in it.
    expect(modules.some((m) => m.endsWith('/apps/cli/src/cli.ts'))).toBe(true);
    // Only the chosen command's module (src/commands/index.ts lists them all without importing them).
    const commandModules = modules
      .filter((m) => m.includes('/apps/cli/src/commands/') && !m.endsWith('/index.ts'))
      .map((m) => m.slice(m.lastIndexOf('/') + 1));
    expect([...new Set(commandModules)]).toEqual(commands);
    expect(heavy).toEqual([]);
  });

  test('run imports the pipeline (and onnxruntime-node) once its command line is checked', async () => {
    const { code, stderr, heavy } = await loaded('run', '--model', join(root, 'missing'), '--prompt', 'hi');
    expect(code).toBe(1);
    expect(stderr).toMatch(/missing does not exist/);
    expect(heavy).toEqual(expect.arrayContaining(['onnxruntime-node', '@gemma3/pipeline']));
    expect(heavy).not.toContain('@gemma3/server');
  });

  test('serve imports the server, the pipeline and onnxruntime-node once its command line is checked', async () => {
    const { code, stderr, heavy } = await loaded('serve', '--model', join(root, 'missing'), '--port', '0');
    expect(code).toBe(1);
    expect(stderr).toMatch(/missing/);
    expect(heavy).toEqual(expect.arrayContaining(['onnxruntime-node', '@gemma3/pipeline', '@gemma3/server']));
  });
});
