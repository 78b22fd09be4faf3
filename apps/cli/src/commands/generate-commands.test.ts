import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRandomCheckpoint } from '@gemma3/random-checkpoint';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, runCli } from '../cli.js';
import { capture } from '../test-utils/capture.js';

const sunset = fileURLToPath(new URL('../../../../examples/assets/sunset.png', import.meta.url));

let root: string;
let text: string;
let vlm: string;
let cacheDir: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'gemma3-cli-gen-'));
  text = join(root, 'tiny-text');
  vlm = join(root, 'tiny-vlm');
  cacheDir = join(root, 'onnx');
  await createRandomCheckpoint({ preset: 'tiny-text', outDir: text, seed: 0 });
  await createRandomCheckpoint({ preset: 'tiny-vlm', outDir: vlm, seed: 0 });
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('command lines refused before anything loads (exit 2)', () => {
  test.each([
    [['run', '--prompt', 'x'], /--model is required/],
    [
      ['run', '--model', 'm', '--task', 'summarize', '--prompt', 'x'],
      /--task must be one of text-generation, image-text-to-text/,
    ],
    [
      ['run', '--model', 'm', '--task', 'text-generation', '--image', 'a.png', '--prompt', 'x'],
      /--image needs --task image-text-to-text/,
    ],
    [
      ['run', '--model', 'm', '--prompt', 'x', '--temperature=-1'],
      /--temperature must be a number >= 0, got "-1"/,
    ],
    [['run', '--model', 'm', '--prompt', 'x', '--top-p', '0'], /--top-p must be a number in \(0, 1\]/],
    [['run', '--model', 'm', '--prompt', 'x', '--top-k', '2.5'], /--top-k must be an integer >= 0/],
    [
      ['run', '--model', 'm', '--prompt', 'x', '--max-new-tokens', '0'],
      /--max-new-tokens must be an integer >= 1/,
    ],
    [['run', '--model', 'm', '--prompt', 'x', '--seed', 'abc'], /--seed must be a non-negative integer/],
    [
      ['run', '--model', 'm', '--prompt', 'x', '--dtype', 'float16'],
      /--dtype must be one of fp32, q8, q4 \(or float32\), got "float16"/,
    ],
    [['run', '--model', 'm', '--prompt', 'x', '--block-size', '128'], /--block-size needs --dtype q8 or q4/],
    [
      ['convert', '--model', 'm', '--dtype', 'q4', '--block-size', '48'],
      /--block-size must be one of 16, 32, 64, 128, 256, got "48"/,
    ],
    [['run', '--model', 'm', '--prompt', '  '], /the prompt is empty/],
    [
      ['run', '--model', 'm', '--prompt', 'x', '--raw', '--system', 's'],
      /--system cannot be used with --raw/,
    ],
    [['chat'], /--model is required/],
    [['mask', '--model', 'm'], /expected one TEXT argument/],
    [['mask', '--model', 'm', 'x', '--layer', 'middle'], /--layer must be sliding or full/],
    [['mask', '--model', 'm', 'x', '--sliding-window', '0'], /--sliding-window must be a positive integer/],
    [['convert'], /--model is required/],
    [
      ['convert', '--model', 'm', '--format', 'gguf'],
      /--format must be onnx-cache or transformers.js, got "gguf"/,
    ],
    [['convert', '--model', 'm', '--format', 'transformers.js'], /--out is required/],
    [['convert', '--model', 'm', '--out', 'x'], /--out and --overwrite need --format transformers.js/],
    [['run', '--', '--prompt', 'x'], /--model is required/], // `pnpm demo -- --flag` passes the `--`
    [['demo', '--model', 'a', '--model-dir', 'b'], /give --model or --model-dir, not both/],
  ])('%j', async (argv, message) => {
    const c = capture();
    expect(await runCli(argv, c.io)).toBe(EXIT_USAGE);
    expect(c.stderr()).toMatch(message);
  });
});

describe('gemma3 run / mask / convert (in process, tiny checkpoints)', { timeout: 60_000 }, () => {
  test('a missing model folder: one line, exit 1, no stack', async () => {
    const c = capture();
    expect(await runCli(['run', '--model', './nowhere/model', '--prompt', 'hi'], c.io)).toBe(EXIT_FAILURE);
    expect(c.stderr().trim().split('\n')).toHaveLength(1);
    expect(c.stderr()).toMatch(/^gemma3: error: .*nowhere\/model/);
  });

  test('image-text-to-text on a text-only model: exit 1 naming the problem', async () => {
    const c = capture();
    const code = await runCli(
      ['run', '--model', text, '--image', 'x.png', '--prompt', 'hi', '--cache-dir', cacheDir],
      c.io,
    );
    expect(code).toBe(EXIT_FAILURE);
    expect(c.stderr()).toMatch(/image-text-to-text needs a multimodal Gemma 3 model.*gemma3_text/);
  });

  test('run --json: the generated ids, usage and timings as one object', async () => {
    const c = capture();
    const code = await runCli(
      [
        'run',
        '--model',
        text,
        '--prompt',
        'Hello',
        '--temperature',
        '0',
        '--max-new-tokens',
        '4',
        '--json',
        '--cache-dir',
        cacheDir,
      ],
      c.io,
    );
    expect(code).toBe(EXIT_OK);
    const result = JSON.parse(c.stdout());
    expect(result.task).toBe('text-generation');
    expect(result.token_ids.length).toBe(result.usage.completion_tokens);
    expect(result.token_ids.length).toBeLessThanOrEqual(4);
    expect(result.usage.total_tokens).toBe(result.usage.prompt_tokens + result.usage.completion_tokens);
    // <bos><start_of_turn>user\nHello<end_of_turn>\n<start_of_turn>model\n
    expect(result.usage.prompt_tokens).toBe(10);
    expect(Object.keys(result.timings).sort()).toEqual(
      ['decode_ms', 'load_ms', 'prefill_ms', 'preprocess_ms', 'tokens_per_second', 'total_ms'].sort(),
    );
    expect(c.stderr()).toBe('');
  });

  test('run --image --json: the image is in the prompt (and the system prompt)', async () => {
    const c = capture();
    const code = await runCli(
      [
        'run',
        '--model',
        vlm,
        '--cache-dir',
        cacheDir,
        '--image',
        sunset,
        '--prompt',
        'What is shown in this image?',
        '--system',
        'You are a helpful assistant.',
        '--max-new-tokens',
        '3',
        '--seed',
        '7',
        '--json',
      ],
      c.io,
    );
    expect(code).toBe(EXIT_OK);
    const json = JSON.parse(c.stdout());
    expect(json.task).toBe('image-text-to-text');
    expect(json.usage.images).toBe(1);
    expect(json.seed).toBe(7);
    // <bos><start_of_turn>user\n "You are a helpful assistant." \n\n + image block (\n\n boi 16 x img eoi \n\n)
    // + question + <end_of_turn>\n<start_of_turn>model\n: at least the 16 image tokens and the text.
    expect(json.usage.prompt_tokens).toBeGreaterThan(16 + 20);
  });

  test('run with a missing image: one error line naming it, exit 1', async () => {
    const c = capture();
    const code = await runCli(
      ['run', '--model', vlm, '--cache-dir', cacheDir, '--image', join(root, 'nope.png'), '--prompt', 'x'],
      c.io,
    );
    expect(code).toBe(EXIT_FAILURE);
    expect(c.stderr().trim().split('\n')).toHaveLength(1);
    expect(c.stderr()).toMatch(/^gemma3: error: .*nope\.png/);
  });

  test('mask: the image block of tiny-vlm in the grid, both ways, and a PNG', async () => {
    const c = capture();
    const png = join(root, 'mask.png');
    const code = await runCli(
      ['mask', '--model', vlm, '--ascii', '--layer', 'full', '--png', png, '<start_of_image>What is shown?'],
      c.io,
    );
    expect(code).toBe(EXIT_OK);
    const lines = c.stdout().split('\n');
    expect(lines[0]).toMatch(/^\d+ tokens, 1 image of 16 tokens; global \(full\) attention layer$/);
    const imageRows = lines.filter((l) => /^\s*\d+ <img> /.test(l));
    expect(imageRows).toHaveLength(16);
    // The first image token sees all 16 tokens of its image: 15 of them later ones (+).
    expect(imageRows[0]!.split(' ').at(-1)!.match(/\+/g)).toHaveLength(15);
    expect(imageRows[15]!.includes('+')).toBe(false);
    expect((await readFile(png)).subarray(1, 4).toString()).toBe('PNG');
  });

  test('convert builds the graphs once, then finds them cached', async () => {
    const first = capture();
    expect(await runCli(['convert', '--model', text, '--cache-dir', cacheDir, '--text-only'], first.io)).toBe(
      EXIT_OK,
    );
    expect(first.stdout()).toMatch(/^decoder .*model\.onnx \((built|cached)\)\nReady in /);
    const second = capture();
    expect(
      await runCli(['convert', '--model', text, '--cache-dir', cacheDir, '--text-only'], second.io),
    ).toBe(EXIT_OK);
    expect(second.stdout()).toMatch(/^decoder .*model\.onnx \(cached\)/);
  });

  test('convert --format transformers.js writes the layout transformers.js loads; refuses a non-empty --out', async () => {
    const out = join(root, 'tjs-q4');
    const first = capture();
    expect(
      await runCli(
        ['convert', '--model', text, '--format', 'transformers.js', '--out', out, '--dtype', 'q4'],
        first.io,
      ),
    ).toBe(EXIT_OK);
    expect(first.stdout()).toMatch(/^model\s+.*onnx\/model_q4\.onnx\nExported in /);
    const config = JSON.parse(await readFile(join(out, 'config.json'), 'utf8'));
    expect(config['transformers.js_config'].dtype).toBe('q4');
    const again = capture();
    expect(
      await runCli(['convert', '--model', text, '--format', 'transformers.js', '--out', out], again.io),
    ).toBe(EXIT_FAILURE);
    expect(again.stderr()).toMatch(/is not empty .*pass overwrite/);
    const replaced = capture();
    expect(
      await runCli(
        ['convert', '--model', text, '--format', 'transformers.js', '--out', out, '--overwrite'],
        replaced.io,
      ),
    ).toBe(EXIT_OK);
    expect(replaced.stdout()).toMatch(/onnx\/model\.onnx\n/);
    // gemma3 run loads the export (the pipeline detects the layout)
    const ran = capture();
    expect(
      await runCli(
        ['run', '--model', out, '--prompt', 'hi', '--max-new-tokens', '2', '--temperature', '0', '--json'],
        ran.io,
      ),
    ).toBe(EXIT_OK);
    expect(JSON.parse(ran.stdout()).token_ids).toHaveLength(2);
  });
});
