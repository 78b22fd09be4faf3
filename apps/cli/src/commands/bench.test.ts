import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { EXIT_OK, EXIT_USAGE, runCli } from '../cli.js';
import { capture } from '../test-utils/capture.js';
import { runGemma3 } from '../test-utils/run-gemma3.js';
import { type BenchJson, benchPromptIds } from './bench.js';

// fixtures/checkpoints/tiny-text: vocabulary 512, 256 positions; bench loads no tokenizer.
const tinyText = fileURLToPath(new URL('../../../../fixtures/checkpoints/tiny-text', import.meta.url));

let cacheDir: string;
beforeAll(async () => {
  cacheDir = await mkdtemp(join(tmpdir(), 'gemma3-cli-bench-'));
});
afterAll(async () => {
  await rm(cacheDir, { recursive: true, force: true });
});

describe('gemma3 bench: bad command lines (exit 2)', () => {
  test.each([
    [['bench'], /--model is required/],
    [['bench', '--model', 'm', '--prompt-tokens', '0'], /--prompt-tokens must be an integer >= 1, got "0"/],
    [['bench', '--model', 'm', '--new-tokens', 'x'], /--new-tokens must be an integer >= 1, got "x"/],
    [['bench', '--model', 'm', '--threads', '1.5'], /--threads must be an integer >= 1/],
    [['bench', '--model', 'm', '--repetitions', '0'], /--repetitions must be an integer >= 1/],
    [['bench', '--model', 'm', '--dtype', 'int4'], /--dtype must be one of fp32, q8, q4/],
    [['bench', '--model', 'm', '--cold', '--cache-dir', 'x'], /give --cold or --cache-dir, not both/],
    [['bench', '--model', 'm', '--frobnicate'], /frobnicate/],
  ])('%j', async (argv, message) => {
    const c = capture();
    expect(await runCli(argv, c.io)).toBe(EXIT_USAGE);
    expect(c.stderr()).toMatch(message);
  });
});

describe('gemma3 bench on tiny-text (in process)', { timeout: 60_000 }, () => {
  test('--json: every field present, positive, and the load kind says cold build then cached', async () => {
    const runs: BenchJson[] = [];
    for (let i = 0; i < 2; i++) {
      const c = capture();
      const argv = ['bench', '--model', tinyText, '--dtype', 'q8', '--prompt-tokens', '12'];
      argv.push('--new-tokens', '5', '--threads', '1', '--repetitions', '2', '--json');
      const code = await runCli([...argv, '--cache-dir', cacheDir], c.io);
      expect(code, c.stderr()).toBe(EXIT_OK);
      runs.push(JSON.parse(c.stdout()));
    }
    const [first, second] = runs;
    expect(first!.load.kind).toBe('cold build');
    expect(first!.load.build_ms).toBeGreaterThan(0);
    expect(second!.load.kind).toBe('cached');
    expect(second!.load.build_ms).toBe(0);
    for (const r of [first!, second!]) {
      expect(r).toMatchObject({
        model_type: 'gemma3_text',
        dtype: 'q8',
        block_size: 32,
        threads: 1,
        prompt_tokens: 12,
        new_tokens: 5,
        repetitions: 2,
        warmup: true,
      });
      for (const key of [
        'prefill_tokens_per_second',
        'decode_tokens_per_second',
        'time_to_first_token_ms',
        'peak_rss_bytes',
      ] as const) {
        expect(r[key], key).toBeGreaterThan(0);
      }
      expect(r.load.total_ms).toBeGreaterThan(0);
      expect(r.load.session_ms).toBeGreaterThan(0);
      expect(r.runs).toHaveLength(2);
      for (const run of r.runs) {
        // prefill t/s is prompt tokens over the time to first token; decode covers new tokens 2..5.
        expect(run.prefill_tokens_per_second).toBeCloseTo((12 * 1000) / run.time_to_first_token_ms, 6);
        expect(run.decode_tokens_per_second).toBeCloseTo((4 * 1000) / run.decode_ms, 6);
      }
      // An RSS of a Node process with onnxruntime loaded is tens of MB at least (bytes, not kB).
      expect(r.peak_rss_bytes).toBeGreaterThan(30e6);
    }
    // One q8 decoder build in the cache.
    const files = await readdir(cacheDir, { recursive: true });
    expect(files.filter((f) => f.endsWith('model.onnx'))).toHaveLength(1);
  });

  test('--cold builds into a temporary cache every time; the table has one row', async () => {
    const c = capture();
    const argv = ['bench', '--model', tinyText, '--prompt-tokens', '8', '--new-tokens', '3', '--cold'];
    expect(await runCli([...argv, '--no-warmup'], c.io)).toBe(EXIT_OK);
    const lines = c.stdout().trim().split('\n');
    expect(lines.at(-3)).toMatch(
      /^\| model \| dtype \| threads \| load \| prefill pp8 \(t\/s\) \| decode tg3/,
    );
    expect(lines.at(-1)).toMatch(
      /^\| gemma3_text \| fp32 \| default \| [\d.]+ s \(cold build\) \| [\d.]+ \|/,
    );
  });

  test('a missing model folder: exit 1 with one error line', async () => {
    const c = capture();
    expect(await runCli(['bench', '--model', join(cacheDir, 'nothing-here')], c.io)).toBe(1);
    expect(c.stderr().trim().split('\n')).toHaveLength(1);
  });
});

describe('benchPromptIds', () => {
  test('bos first, seeded, inside the vocabulary away from the special ids', () => {
    const a = benchPromptIds(200, 262_144, 0);
    expect(a).toHaveLength(200);
    expect(a[0]).toBe(2);
    expect(benchPromptIds(200, 262_144, 0)).toEqual(a);
    expect(benchPromptIds(200, 262_144, 1)).not.toEqual(a);
    for (const id of a.slice(1)) expect(id >= 1000 && id < 255_000).toBe(true);
    expect(new Set(a).size).toBeGreaterThan(190);
    for (const id of benchPromptIds(50, 512, 3).slice(1)) expect(id >= 10 && id < 512).toBe(true);
  });
});

describe('gemma3 bench (spawned)', { timeout: 30_000 }, () => {
  test('--json on stdout parses; a bad flag exits 2', async () => {
    const run = (...args: string[]) => runGemma3(args);
    const json = await run(
      'bench',
      '--model',
      tinyText,
      '--dtype',
      'q4',
      '--prompt-tokens',
      '6',
      '--new-tokens',
      '2',
      '--json',
      '--cache-dir',
      cacheDir,
    );
    expect(json.code, json.stderr).toBe(0);
    const parsed = JSON.parse(json.stdout);
    expect(parsed.dtype).toBe('q4');
    expect(parsed.decode_tokens_per_second).toBeGreaterThan(0);
    const bad = await run('bench', '--model', tinyText, '--new-tokens=-3');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--new-tokens must be an integer >= 1/);
  });
});
