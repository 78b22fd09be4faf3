import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { EXIT_FAILURE, runCli } from '../cli.js';
import { capture } from '../test-utils/capture.js';

describe('run: its first line on a terminal', { timeout: 60_000 }, () => {
  const missing = join('nowhere', 'model');

  test('says what loads before loading it (here: a missing folder, then the error)', async () => {
    const c = capture(true);
    expect(await runCli(['run', '--model', missing, '--prompt', 'hi'], c.io)).toBe(EXIT_FAILURE);
    const lines = c.stderr().trim().split('\n');
    expect(lines[0]).toBe(`Loading ${missing} (text-generation)...`);
    expect(lines[1]).toMatch(/^gemma3: error: .*nowhere\/model/);
    expect(lines).toHaveLength(2);
  });

  test('names the task and the dtype asked for', async () => {
    const c = capture(true);
    const args = ['run', '--model', missing, '--prompt', 'hi', '--image', 'x.png', '--dtype', 'q4'];
    expect(await runCli(args, c.io)).toBe(EXIT_FAILURE);
    expect(c.stderr().split('\n')[0]).toBe(`Loading ${missing} (image-text-to-text, q4 weights)...`);
  });

  test('a usage error comes before it: no loading line', async () => {
    const c = capture(true);
    expect(await runCli(['run', '--model', missing, '--prompt', 'hi', '--dtype', 'q3'], c.io)).toBe(2);
    expect(c.stderr()).toMatch(/^gemma3: error: --dtype must be/);
  });
});
