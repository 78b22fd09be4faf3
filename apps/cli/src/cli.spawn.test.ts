import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadModelConfig, parseModelConfig } from '@gemma3/config';
import { presetFiles, randomCheckpointTensors } from '@gemma3/random-checkpoint';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runGemma3 } from './test-utils/run-gemma3.js';

// The CLI as a user runs it, from the TypeScript sources (tsx is a root devDependency).
const gemma3 = (...args: string[]) => runGemma3(args);

async function safetensorsHeader(file: string): Promise<Record<string, { dtype: string; shape: number[] }>> {
  const handle = await open(file, 'r');
  try {
    const prefix = Buffer.alloc(8);
    await handle.read(prefix, 0, 8, 0);
    const length = Number(prefix.readBigUInt64LE(0));
    const json = Buffer.alloc(length);
    await handle.read(json, 0, length, 8);
    return JSON.parse(json.toString('utf8'));
  } finally {
    await handle.close();
  }
}

const sha256 = async (file: string) =>
  createHash('sha256')
    .update(await readFile(file))
    .digest('hex');

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'gemma3-cli-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

// Each spawn starts node + tsx (~1 s on the shared 2-core machine): generous timeouts.
describe('gemma3 (spawned)', { timeout: 30_000 }, () => {
  test('--help lists the commands, exit 0', async () => {
    const { code, stdout } = await gemma3('--help');
    expect(code).toBe(0);
    expect(stdout).toMatch(/Usage: gemma3 <command>/);
    expect(stdout).toMatch(/create-random/);
  });

  test('no command: help on stderr, exit 2', async () => {
    const { code, stdout, stderr } = await gemma3();
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/Usage: gemma3/);
  });

  test('unknown command: one-line error, exit 2, no stack', async () => {
    const { code, stderr } = await gemma3('frobnicate');
    expect(code).toBe(2);
    expect(stderr.split('\n')[0]).toBe(
      'gemma3: error: unknown command "frobnicate" (commands: run, chat, serve, demo, convert, bench, mask, create-random)',
    );
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  test('create-random writes a checkpoint whose config parses and header lists the tensors; same seed, same bytes', async () => {
    const first = join(root, 'a');
    const second = join(root, 'b');
    const a = await gemma3('create-random', '--preset', 'tiny-text', '--out', first, '--seed', '7');
    expect(a.code).toBe(0);
    expect(a.stdout).toMatch(
      /^Wrote tiny-text checkpoint to .*: 5 files, 93 tensors, 34\.2 MB of bf16 weights, seed 7/,
    );
    const b = await gemma3('create-random', '--preset', 'tiny-text', '--out', second, '--seed', '7');
    expect(b.code).toBe(0);

    expect(await loadModelConfig(first)).toEqual(parseModelConfig(presetFiles('tiny-text').config, 'preset'));
    const header = await safetensorsHeader(join(first, 'model.safetensors'));
    const expected = randomCheckpointTensors('tiny-text');
    expect(
      Object.keys(header)
        .filter((k) => k !== '__metadata__')
        .sort(),
    ).toEqual(expected.map((t) => t.name).sort());
    for (const t of expected) expect(header[t.name]).toMatchObject({ dtype: 'BF16', shape: t.shape });
    expect(header['model.embed_tokens.weight']?.shape).toEqual([262144, 64]);

    expect(await sha256(join(second, 'model.safetensors'))).toBe(
      await sha256(join(first, 'model.safetensors')),
    );
  });

  test('runtime error (folder not empty): one line, exit 1; --verbose adds the stack', async () => {
    const dir = join(root, 'full');
    await mkdir(dir);
    await writeFile(join(dir, 'notes.txt'), 'not a checkpoint');
    const plain = await gemma3('create-random', '--preset', 'tiny-text', '--out', dir);
    expect(plain.code).toBe(1);
    expect(plain.stderr).toBe(`gemma3: error: ${dir} is not empty (add --force to write into it)\n`);
    const verbose = await gemma3('create-random', '--preset', 'tiny-text', '--out', dir, '--verbose');
    expect(verbose.code).toBe(1);
    expect(verbose.stderr).toMatch(/\n\s+at /);
    expect(verbose.stderr).toMatch(/Caused by: OutputDirNotEmptyError/);
  });

  test('usage error (bad seed): exit 2', async () => {
    const { code, stderr } = await gemma3(
      'create-random',
      '--preset',
      'tiny-text',
      '--out',
      join(root, 'c'),
      '--seed',
      'x',
    );
    expect(code).toBe(2);
    expect(stderr).toMatch(/^gemma3: error: --seed must be an integer/);
  });
});
