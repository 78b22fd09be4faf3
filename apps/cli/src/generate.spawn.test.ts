import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRandomCheckpoint } from '@gemma3/random-checkpoint';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runGemma3 } from './test-utils/run-gemma3.js';

// The generating commands as a user runs them: a spawned process, stdin, flags, exit codes.
const gemma3 = (args: string[], stdin?: string) => runGemma3(args, stdin === undefined ? {} : { stdin });

let root: string;
let text: string;
let vlm: string;
let cacheDir: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'gemma3-cli-spawn-'));
  text = join(root, 'tiny-text');
  vlm = join(root, 'tiny-vlm');
  cacheDir = join(root, 'onnx');
  await createRandomCheckpoint({ preset: 'tiny-text', outDir: text, seed: 0 });
  await createRandomCheckpoint({ preset: 'tiny-vlm', outDir: vlm, seed: 0 });
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('gemma3 run / chat / demo (spawned)', { timeout: 60_000 }, () => {
  test('run: a prompt from stdin (trailing newline dropped) equals --prompt; streamed text equals --json text', async () => {
    const flags = [
      'run',
      '--model',
      text,
      '--cache-dir',
      cacheDir,
      '--temperature',
      '0',
      '--max-new-tokens',
      '5',
    ];
    const [piped, streamed] = await Promise.all([
      gemma3([...flags, '--json'], 'Why is the sky blue?\n'),
      gemma3([...flags, '--prompt', 'Why is the sky blue?']),
    ]);
    expect(piped.code).toBe(0);
    const json = JSON.parse(piped.stdout);
    // <bos><start_of_turn>user\n + "Why is the sky blue?" (6 tokens) + <end_of_turn>\n<start_of_turn>model\n
    expect(json.usage.prompt_tokens).toBe(4 + 6 + 5);
    expect(json.token_ids).toHaveLength(json.usage.completion_tokens);
    expect(json.interrupted).toBe(false);
    expect(json.dtype).toBe('q8'); // the pipeline's default, named
    expect(streamed.code).toBe(0);
    expect(streamed.stdout).toBe(json.text.endsWith('\n') ? json.text : `${json.text}\n`);
    expect(streamed.stderr).toMatch(
      /^\d+ tokens \((stop|length)\) in .*prefill .*\(15 prompt tokens\).*tokens\/s; load .*, q8 weights$/m,
    );
  });

  test('chat over a pipe: turns, /image on a text model, /reset, unknown commands, /exit', async () => {
    const result = await gemma3(
      [
        'chat',
        '--model',
        text,
        '--cache-dir',
        cacheDir,
        '--temperature',
        '0',
        '--max-new-tokens',
        '3',
        '--timings',
      ],
      'Hello\n/image cat.png\n/frob\nAnd again\n/reset\n/exit\nnever sent\n',
    );
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toMatch(/^Chatting with /);
    expect(result.stdout).toMatch(/\(this model is text-only: it cannot see images\)/);
    expect(result.stdout).toMatch(/\(unknown command \/frob; \/help lists them\)/);
    expect(result.stdout).toMatch(/\(conversation cleared\)/);
    // Two answered turns: two timing lines; the second turn's prompt holds the first exchange.
    const timings = result.stderr.trim().split('\n');
    expect(timings).toHaveLength(2);
    const prompts = timings.map((l) => Number(/\((\d+) prompt tokens/.exec(l)![1]));
    expect(prompts[1]).toBeGreaterThan(prompts[0]!);
  });

  test('demo: creates the embedded model, answers about the bundled image, says the weights are random', async () => {
    const modelDir = join(root, 'demo-model');
    const result = await gemma3([
      'demo',
      '--model-dir',
      modelDir,
      '--cache-dir',
      cacheDir,
      '--max-new-tokens',
      '4',
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/weights are RANDOM/);
    expect(result.stdout).toMatch(/Created the embedded model in /);
    expect(result.stdout).toMatch(/User: {3}\[image .*sunset\.png\] What is shown in this image\?/);
    expect(result.stdout).toMatch(/\n\d+ tokens \((stop|length)\) in .*1 image/);
    expect(result.stdout).toMatch(/--model google\/gemma-3-4b-it/);
    const again = await gemma3([
      'demo',
      '--model-dir',
      modelDir,
      '--cache-dir',
      cacheDir,
      '--max-new-tokens',
      '2',
    ]);
    expect(again.code).toBe(0);
    expect(again.stdout).not.toMatch(/Created the embedded model/);
  });
});
