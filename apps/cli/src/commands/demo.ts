import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pipeline } from '@gemma3/pipeline';
import { createRandomCheckpoint } from '@gemma3/random-checkpoint';
import type { Command } from '../command.js';
import { CliFailure } from '../errors/cli-failure.js';
import { UsageError } from '../errors/usage-error.js';
import { questionMessages } from '../generate/build-messages.js';
import { DTYPE_HELP } from '../generate/dtype-flags.js';
import { formatTimings, seconds } from '../generate/format-timings.js';
import { GENERATION_OPTIONS, generationOptions, loadOptions } from '../generate/generation-flags.js';
import { EXIT_INTERRUPTED, withInterrupt } from '../generate/interrupt.js';

/** The repository root when the CLI runs from a checkout (this file is apps/cli/{src,dist}/commands/demo.*). */
const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const IN_REPO =
  existsSync(join(REPO_ROOT, 'pnpm-workspace.yaml')) && existsSync(join(REPO_ROOT, 'apps', 'cli'));
const BUNDLED_IMAGE = join(REPO_ROOT, 'examples', 'assets', 'sunset.png');
const DEFAULT_QUESTION = 'What is shown in this image?';
const DEFAULT_SYSTEM = 'You are a helpful assistant.';

/** In a checkout: <repo>/.cache/models/tiny-vlm (git-ignored); else ~/.cache/gemma3/models/tiny-vlm. */
function defaultModelDir(): string {
  if (IN_REPO) return join(REPO_ROOT, '.cache', 'models', 'tiny-vlm');
  const cache = process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache');
  return join(cache, 'gemma3', 'models', 'tiny-vlm');
}

/** In a checkout the embedded model's graphs go to <repo>/.cache/onnx (`rm -rf .cache` resets the demo). */
function defaultGraphCache(): string | undefined {
  return IN_REPO && process.env.GEMMA3_CACHE_DIR === undefined
    ? join(REPO_ROOT, '.cache', 'onnx')
    : undefined;
}

export const demoCommand: Command = {
  name: 'demo',
  summary: 'Ask the embedded tiny model about the bundled image (creates the model if absent)',
  help: `Usage: gemma3 demo [--model M | --model-dir DIR] [--image I] [--prompt P] [options]

Runs image-text-to-text end to end: creates the embedded default model if it is absent (the tiny-vlm
random checkpoint: a small Gemma 3 with a SigLIP vision tower and the real Gemma 3 tokenizer, ~35 MB),
builds its ONNX graphs, and streams its answer to "${DEFAULT_QUESTION}" about the bundled image,
with timings. The embedded model's weights are RANDOM: its answer is gibberish. Give --model to ask a
real Gemma 3 instead (a folder with config.json, tokenizer.json and *.safetensors, or a Hugging Face id).

Options:
  --model M            a real model (folder or id, e.g. google/gemma-3-4b-it) instead of the embedded one
  --model-dir DIR      where the embedded model lives (default: .cache/models/tiny-vlm in a checkout
                       of the repository, else ~/.cache/gemma3/models/tiny-vlm)
  --image I            image file, URL or data: URI (default: examples/assets/sunset.png)
  --prompt P           the question (default "${DEFAULT_QUESTION}")
  --system TEXT        system prompt (default "${DEFAULT_SYSTEM}")
  --max-new-tokens N   (default 40)   --seed N (default 0)   --temperature T   --top-k K   --top-p P
  --cache-dir DIR      folder of built ONNX graphs (default $GEMMA3_CACHE_DIR or ~/.cache/gemma3; the
                       embedded model in a checkout: .cache/onnx)
${DTYPE_HELP}
  --verbose            stack traces on errors
  -h, --help           show this help

Exit codes: 0 answered, 1 failed, 2 bad command line, 130 interrupted (Ctrl-C).
`,
  options: {
    model: { type: 'string' },
    'model-dir': { type: 'string' },
    image: { type: 'string' },
    prompt: { type: 'string' },
    ...GENERATION_OPTIONS,
  },
  async run({ values, io }) {
    if (values.model !== undefined && values['model-dir'] !== undefined) {
      throw new UsageError('give --model or --model-dir, not both', 'demo');
    }
    const generation = {
      seed: 0,
      ...generationOptions({ 'max-new-tokens': '40', ...values }, 'demo'),
    };
    const options = loadOptions(values, 'demo', io.stderr.isTTY === true);
    if (options.cacheDir === undefined && values.model === undefined) {
      const graphs = defaultGraphCache();
      if (graphs !== undefined) options.cacheDir = graphs;
    }
    const image = typeof values.image === 'string' ? values.image : BUNDLED_IMAGE;
    if (values.image === undefined && !existsSync(image)) {
      throw new CliFailure(`the bundled image ${image} is missing: give --image PATH`);
    }
    const prompt = typeof values.prompt === 'string' ? values.prompt : DEFAULT_QUESTION;
    const system = typeof values.system === 'string' ? values.system : DEFAULT_SYSTEM;
    const embedded = values.model === undefined;
    const out = io.stdout;
    let model: string;
    if (embedded) {
      model = resolve(typeof values['model-dir'] === 'string' ? values['model-dir'] : defaultModelDir());
      out.write('Gemma 3 demo: image-text-to-text with the embedded tiny-vlm model.\n');
      out.write('NOTE: its weights are RANDOM, so the answer below is gibberish. It shows the whole path\n');
      out.write(
        '      (image -> SigLIP -> Gemma 3 decoder -> streamed text) running, not a trained model.\n\n',
      );
      if (!existsSync(join(model, 'config.json'))) {
        const started = performance.now();
        await createEmbeddedModel(model);
        out.write(
          `Created the embedded model in ${shown(model)} (${seconds(performance.now() - started)})\n`,
        );
      }
    } else {
      model = values.model as string;
    }
    out.write(`Loading ${embedded ? shown(model) : model} (the first run builds the ONNX graphs)...\n`);
    const vlm = await pipeline('image-text-to-text', model, options);
    try {
      out.write(`Loaded in ${seconds(vlm.loadTimings.resolveMs + vlm.loadTimings.loadMs)}\n\n`);
      out.write(`System: ${system}\nUser:   [image ${shown(image)}] ${prompt}\nModel:  `);
      let endsWithNewline = false;
      const { value: output, interrupted } = await withInterrupt((signal) =>
        vlm.run(questionMessages(prompt, [image], system), {
          ...generation,
          signal,
          onText: (text) => {
            out.write(text);
            endsWithNewline = text.endsWith('\n');
          },
        }),
      );
      if (!endsWithNewline) out.write('\n');
      out.write(`\n${interrupted ? '[interrupted] ' : ''}${formatTimings(output, vlm.dtype)}\n`);
      if (embedded) {
        out.write(
          '\nThat answer came from random weights. To ask a real Gemma 3 (4B and up see images):\n' +
            `  gemma3 demo --model google/gemma-3-4b-it          (downloads ~8.6 GB; HF_TOKEN after accepting the license)\n` +
            `  gemma3 demo --model /path/to/gemma-3-4b-it        (a folder with config.json, tokenizer.json, *.safetensors)\n` +
            `  gemma3 run --model /path/to/gemma-3-4b-it --image ${shown(image)} --prompt "${prompt}"\n` +
            '(in this repository: pnpm demo --model ..., or node apps/cli/bin/gemma3.js run ...)\n',
        );
      }
      return interrupted ? EXIT_INTERRUPTED : 0;
    } finally {
      await vlm.dispose();
    }
  },
};

/** Writes tiny-vlm into a temporary sibling, then renames it into place (never a half-written model). */
async function createEmbeddedModel(dir: string): Promise<void> {
  const temp = `${dir}.partial-${process.pid}`;
  await mkdir(dirname(dir), { recursive: true });
  await rm(temp, { recursive: true, force: true });
  try {
    await createRandomCheckpoint({ preset: 'tiny-vlm', outDir: temp, seed: 0 });
    await rm(dir, { recursive: true, force: true });
    await rename(temp, dir);
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error;
  }
}

/** A path relative to the working directory when inside it (shorter lines). */
function shown(path: string): string {
  if (/^(https?:|data:)/.test(path)) return path.length > 60 ? `${path.slice(0, 57)}...` : path;
  const rel = relative(process.cwd(), path);
  return rel !== '' && !rel.startsWith('..') ? rel : path;
}
