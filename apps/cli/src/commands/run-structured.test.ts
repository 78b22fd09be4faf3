import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRandomCheckpoint } from '@gemma3/random-checkpoint';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, runCli } from '../cli.js';
import { capture } from '../test-utils/capture.js';

let root: string;
let text: string;
let cacheDir: string;
let schemaFile: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'gemma3-cli-structured-'));
  text = join(root, 'tiny-text');
  cacheDir = join(root, 'onnx');
  await createRandomCheckpoint({ preset: 'tiny-text', outDir: text, seed: 0 });
  schemaFile = join(root, 'person.schema.json');
  await writeFile(
    schemaFile,
    JSON.stringify({
      type: 'object',
      properties: {
        name: { type: 'string', maxLength: 6 },
        age: { type: 'integer', minimum: 0, maximum: 99 },
      },
      required: ['name', 'age'],
      additionalProperties: false,
    }),
  );
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('gemma3 run with output constraints', { timeout: 60_000 }, () => {
  test.each([
    [['--grammar', 'yaml'], /--grammar must be json, got "yaml"/],
    [
      ['--grammar', 'json', '--regex', 'a'],
      /give one of --json-schema, --grammar, --regex, not --grammar and --regex/,
    ],
    [['--json-schema', '/nowhere/s.json'], /--json-schema: cannot read \/nowhere\/s.json \(ENOENT\)/],
  ])('%j is a usage error (exit 2)', async (flags, message) => {
    const c = capture();
    expect(await runCli(['run', '--model', 'm', '--prompt', 'x', ...flags], c.io)).toBe(EXIT_USAGE);
    expect(c.stderr()).toMatch(message);
  });

  test('a schema file that is not JSON is a usage error', async () => {
    const bad = join(root, 'bad.json');
    await writeFile(bad, '{ nope');
    const c = capture();
    expect(await runCli(['run', '--model', 'm', '--prompt', 'x', '--json-schema', bad], c.io)).toBe(
      EXIT_USAGE,
    );
    expect(c.stderr()).toMatch(/is not valid JSON/);
  });

  test('--json-schema FILE: the streamed answer is a document valid against the schema', async () => {
    const c = capture();
    const argv = [
      'run',
      '--model',
      text,
      '--prompt',
      'A person',
      '--temperature',
      '0',
      '--max-new-tokens',
      '60',
    ];
    expect(await runCli([...argv, '--json-schema', schemaFile, '--cache-dir', cacheDir], c.io)).toBe(EXIT_OK);
    const value = JSON.parse(c.stdout());
    expect(Object.keys(value).sort()).toEqual(['age', 'name']);
    expect(typeof value.name === 'string' && value.name.length <= 6).toBe(true);
    expect(Number.isInteger(value.age) && value.age >= 0 && value.age <= 99).toBe(true);
  });

  test('--grammar json with --json: the text field holds one JSON object', async () => {
    const c = capture();
    const argv = [
      'run',
      '--model',
      text,
      '--prompt',
      'Data',
      '--seed',
      '4',
      '--max-new-tokens',
      '40',
      '--json',
    ];
    expect(await runCli([...argv, '--grammar', 'json', '--cache-dir', cacheDir], c.io)).toBe(EXIT_OK);
    const result = JSON.parse(c.stdout());
    // complete even when the budget ended it: the constraint closes the object in time
    const value = JSON.parse(result.text);
    expect(typeof value === 'object' && value !== null && !Array.isArray(value)).toBe(true);
  });

  test('an unsupported schema fails with one line naming the keyword (exit 1)', async () => {
    const unsupported = join(root, 'unsupported.json');
    await writeFile(
      unsupported,
      JSON.stringify({ type: 'object', properties: { a: { type: 'number', multipleOf: 2 } } }),
    );
    const c = capture();
    const argv = [
      'run',
      '--model',
      text,
      '--prompt',
      'x',
      '--json-schema',
      unsupported,
      '--cache-dir',
      cacheDir,
    ];
    expect(await runCli(argv, c.io)).toBe(EXIT_FAILURE);
    expect(c.stderr()).toMatch(/#\/properties\/a: multipleOf/);
  });
});
