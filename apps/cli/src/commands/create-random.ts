import {
  CONFIG_FORMATS,
  type ConfigFormat,
  createRandomCheckpoint,
  isRandomCheckpointPreset,
  OutputDirNotEmptyError,
  RANDOM_CHECKPOINT_PRESETS,
  randomCheckpointDataBytes,
} from '@gemma3/random-checkpoint';
import type { Command } from '../command.js';
import { CliFailure } from '../errors/cli-failure.js';
import { UsageError } from '../errors/usage-error.js';
import { formatBytes } from '../format.js';
import { progressLine } from '../progress.js';

/** Presets whose weights take longer than a moment get a progress line. */
const PROGRESS_FROM_BYTES = 256e6;

export const createRandomCommand: Command = {
  name: 'create-random',
  summary: 'Write a Hugging Face-format Gemma 3 checkpoint with seeded random weights',
  help: `Usage: gemma3 create-random --preset NAME --out DIR [--seed N] [--force] [--config-format FORMAT]

Writes config.json, generation_config.json, model.safetensors (bf16, seeded), the real Gemma 3
tokenizer.json and tokenizer_config.json, and for multimodal presets preprocessor_config.json,
processor_config.json and chat_template.json. The same seed writes byte-identical files.

Options:
  --preset NAME            ${RANDOM_CHECKPOINT_PRESETS.join(' | ')}
                             tiny-text  7-layer text model, hidden 64, real vocabulary (~34 MB)
                             tiny-vlm   tiny-text + 2-layer SigLIP, 224x224 images, 16 tokens/image (~35 MB)
                             1b         released gemma-3-1b-it shapes (~2.0 GB)
                             4b         released gemma-3-4b-it shapes, with vision (~8.6 GB)
  --out DIR                folder to write (created if missing; must be empty unless --force)
  --seed N                 integer in [0, 4294967295] (default 0)
  --force                  write into a non-empty folder, replacing files of the same names
  --config-format FORMAT   ${CONFIG_FORMATS.join(' | ')} (default released)
  --verbose                show stack traces on errors
  -h, --help               show this help

Example:
  gemma3 create-random --preset tiny-vlm --out ./models/tiny-vlm --seed 42
`,
  options: {
    preset: { type: 'string' },
    out: { type: 'string' },
    seed: { type: 'string' },
    force: { type: 'boolean' },
    'config-format': { type: 'string' },
  },
  async run({ values, io }) {
    const preset = requireString(values.preset, '--preset');
    if (!isRandomCheckpointPreset(preset)) {
      throw new UsageError(
        `unknown preset "${preset}" (one of ${RANDOM_CHECKPOINT_PRESETS.join(', ')})`,
        'create-random',
      );
    }
    const outDir = requireString(values.out, '--out');
    const seed = parseSeed(values.seed);
    const configFormat = (values['config-format'] ?? 'released') as ConfigFormat;
    if (typeof configFormat !== 'string' || !CONFIG_FORMATS.includes(configFormat)) {
      throw new UsageError(`--config-format must be one of ${CONFIG_FORMATS.join(', ')}`, 'create-random');
    }
    const progress =
      randomCheckpointDataBytes(preset) >= PROGRESS_FROM_BYTES
        ? progressLine(io, 'writing model.safetensors')
        : undefined;
    const started = performance.now();
    let result: Awaited<ReturnType<typeof createRandomCheckpoint>>;
    try {
      result = await createRandomCheckpoint({
        preset,
        outDir,
        seed,
        force: values.force === true,
        configFormat,
        onProgress: progress && ((p) => progress.update(p.bytesWritten, p.totalBytes)),
      });
    } catch (error) {
      if (error instanceof OutputDirNotEmptyError) {
        throw new CliFailure(`${outDir} is not empty (add --force to write into it)`, error);
      }
      throw error;
    } finally {
      progress?.finish();
    }
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    io.stdout.write(
      `Wrote ${preset} checkpoint to ${outDir}: ${result.files.length} files, ${result.tensorCount} tensors, ` +
        `${formatBytes(result.dataBytes)} of bf16 weights, seed ${seed}, in ${seconds} s\n`,
    );
    return 0;
  },
};

function requireString(value: unknown, flag: string): string {
  if (typeof value !== 'string' || value === '') throw new UsageError(`${flag} is required`, 'create-random');
  return value;
}

function parseSeed(value: unknown): number {
  if (value === undefined) return 0;
  if (typeof value !== 'string' || !/^\d+$/.test(value) || Number(value) > 0xffffffff) {
    throw new UsageError(
      `--seed must be an integer in [0, 4294967295], got "${String(value)}"`,
      'create-random',
    );
  }
  return Number(value);
}
