import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, runCli } from './cli.js';
import type { Command } from './command.js';
import { capture } from './test-utils/capture.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'gemma3-cli-inproc-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('runCli', () => {
  test('create-random --help shows options and presets', async () => {
    const c = capture();
    expect(await runCli(['create-random', '--help'], c.io)).toBe(EXIT_OK);
    expect(c.stdout()).toMatch(/--preset NAME/);
    expect(c.stdout()).toMatch(/tiny-vlm/);
    expect(await runCli(['help', 'create-random'], c.io)).toBe(EXIT_OK);
  });

  test('--version prints the package version (a leading -- from pnpm is ignored)', async () => {
    const c = capture();
    expect(await runCli(['--', '--version'], c.io)).toBe(EXIT_OK);
    expect(c.stdout()).toMatch(/^\d+\.\d+\.\d+\n$/);
  });

  test.each([
    [['create-random', '--out', 'x'], /--preset is required/],
    [['create-random', '--preset', 'tiny-text'], /--out is required/],
    [['create-random', '--preset', '2b', '--out', 'x'], /unknown preset "2b"/],
    [['create-random', '--preset', 'tiny-text', '--out', 'x', '--seed', '4294967296'], /--seed must be/],
    [
      ['create-random', '--preset', 'tiny-text', '--out', 'x', '--config-format', 'v4'],
      /--config-format must be/,
    ],
    [['create-random', '--bogus'], /Unknown option '--bogus'/],
    [['create-random', 'extra'], /positional/i],
    [['--bogus'], /unknown option --bogus/],
  ])('usage error for %j', async (argv, message) => {
    const c = capture();
    expect(await runCli(argv, c.io)).toBe(EXIT_USAGE);
    expect(c.stderr()).toMatch(message);
    expect(c.stderr()).toMatch(/Run "gemma3 .*--help" for usage/);
  });

  test('tiny-vlm through the CLI: the multimodal files', async () => {
    const c = capture();
    const out = join(root, 'vlm');
    expect(
      await runCli(
        ['create-random', '--preset', 'tiny-vlm', '--out', out, '--config-format', 'transformers-v5'],
        c.io,
      ),
    ).toBe(EXIT_OK);
    expect((await readdir(out)).sort()).toEqual([
      'chat_template.json',
      'config.json',
      'generation_config.json',
      'model.safetensors',
      'preprocessor_config.json',
      'processor_config.json',
      'tokenizer.json',
      'tokenizer_config.json',
    ]);
    expect(c.stderr()).toBe(''); // small presets print no progress line
  });

  test('unexpected errors exit 1 with one line and a hint; --verbose prints the stack', async () => {
    const failing: Command = {
      name: 'boom',
      summary: 'fails',
      help: 'boom',
      options: {},
      run: async () => {
        throw new TypeError('kaput');
      },
    };
    const c = capture();
    expect(await runCli(['boom'], c.io, [failing])).toBe(EXIT_FAILURE);
    expect(c.stderr()).toBe(
      'gemma3: error: kaput\n(an unexpected error: run again with --verbose for details)\n',
    );
    const v = capture();
    expect(await runCli(['boom', '--verbose'], v.io, [failing])).toBe(EXIT_FAILURE);
    expect(v.stderr()).toMatch(/TypeError: kaput\n\s+at /);
  });
});
