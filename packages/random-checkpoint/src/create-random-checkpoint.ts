import { copyFile, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createSafetensorsWriter } from '@gemma3/weights';
import { CONFIG_FORMATS, type ConfigFormat, toTransformersV5Config } from './config-format.js';
import { OutputDirNotEmptyError } from './errors/output-dir-not-empty-error.js';
import { RandomCheckpointError } from './errors/random-checkpoint-error.js';
import {
  isRandomCheckpointPreset,
  presetFiles,
  RANDOM_CHECKPOINT_PRESETS,
  type RandomCheckpointPreset,
} from './presets.js';
import { fillNormalBf16, normalBf16Table, tensorKeys } from './random-bf16.js';
import { randomCheckpointTensors } from './tensors.js';
import { tokenizerFiles } from './tokenizer-files.js';

export interface RandomCheckpointProgress {
  /** Tensor data bytes written so far / in all (the header is not counted). */
  readonly bytesWritten: number;
  readonly totalBytes: number;
  /** The tensor being written. */
  readonly tensor: string;
}

export interface CreateRandomCheckpointOptions {
  readonly preset: RandomCheckpointPreset;
  readonly outDir: string;
  /** Integer in [0, 2^32 - 1]; the same seed gives byte-identical files. Default 0. */
  readonly seed?: number;
  /** Write into `outDir` even when it is not empty (files of the same names are replaced). Default false. */
  readonly force?: boolean;
  /** Default 'released' (as google/gemma-3-* checkpoints have it). */
  readonly configFormat?: ConfigFormat;
  /** Called after each chunk of tensor data (chunks are at most 8 MiB). */
  readonly onProgress?: (progress: RandomCheckpointProgress) => void;
}

export interface RandomCheckpointResult {
  readonly outDir: string;
  /** Names of the files written, in `outDir`. */
  readonly files: readonly string[];
  readonly tensorCount: number;
  /** Tensor data bytes in model.safetensors. */
  readonly dataBytes: number;
}

/** bf16 elements generated and written at a time (8 MiB), so memory stays flat even for the 4b preset. */
const CHUNK_ELEMENTS = 4 * 1024 * 1024;

/** Files a previous checkpoint may have left that would shadow ours (a sharded index). */
const STALE_FILES = ['model.safetensors.index.json'];

/**
 * Writes a complete Hugging Face-format checkpoint folder with seeded random bf16 weights:
 * config.json, generation_config.json, model.safetensors, tokenizer.json, tokenizer_config.json, and for
 * multimodal presets preprocessor_config.json, processor_config.json and chat_template.json. Tensors are generated and
 * written chunk by chunk (never the whole model in memory); model.safetensors appears only once complete.
 */
export async function createRandomCheckpoint(
  options: CreateRandomCheckpointOptions,
): Promise<RandomCheckpointResult> {
  const { preset, outDir, seed = 0, force = false, configFormat = 'released', onProgress } = options;
  if (!isRandomCheckpointPreset(preset)) {
    throw new RandomCheckpointError({
      option: 'preset',
      reason: `unknown preset ${JSON.stringify(preset)} (one of ${RANDOM_CHECKPOINT_PRESETS.join(', ')})`,
    });
  }
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new RandomCheckpointError({
      option: 'seed',
      reason: `must be an integer in [0, 4294967295], got ${seed}`,
    });
  }
  if (!CONFIG_FORMATS.includes(configFormat)) {
    throw new RandomCheckpointError({
      option: 'configFormat',
      reason: `must be one of ${CONFIG_FORMATS.join(', ')}`,
    });
  }
  await prepareOutDir(outDir, force);

  const files = presetFiles(preset);
  const tensors = randomCheckpointTensors(preset);
  const written: string[] = [];
  const writeJson = async (name: string, value: unknown) => {
    await writeFile(join(outDir, name), `${JSON.stringify(value, null, 2)}\n`);
    written.push(name);
  };

  const config = configFormat === 'released' ? files.config : toTransformersV5Config(files.config);
  await writeJson('config.json', config);
  await writeJson('generation_config.json', files.generationConfig);
  if (files.preprocessorConfig) await writeJson('preprocessor_config.json', files.preprocessorConfig);
  if (files.processorConfig) await writeJson('processor_config.json', files.processorConfig);
  const tokenizer = tokenizerFiles();
  for (const [name, source] of Object.entries(tokenizer)) {
    await copyFile(source, join(outDir, name));
    written.push(name);
  }
  if (files.processorConfig) {
    // The processor's own copy of the chat template (released multimodal checkpoints ship it too).
    const tokenizerConfig = JSON.parse(await readFile(tokenizer['tokenizer_config.json'], 'utf8'));
    await writeJson('chat_template.json', { chat_template: tokenizerConfig.chat_template });
  }

  const dataBytes = await writeWeights(join(outDir, 'model.safetensors'), tensors, {
    seed,
    preset,
    onProgress,
  });
  written.push('model.safetensors');
  return { outDir, files: written, tensorCount: tensors.length, dataBytes };
}

async function prepareOutDir(outDir: string, force: boolean): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(outDir);
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new RandomCheckpointError({
        option: 'outDir',
        reason: `${outDir} cannot be read (${(cause as Error).message})`,
        cause,
      });
    }
    await mkdir(outDir, { recursive: true });
    return;
  }
  if (entries.length > 0 && !force) {
    throw new OutputDirNotEmptyError(outDir);
  }
  for (const name of STALE_FILES) await rm(join(outDir, name), { force: true });
}

async function writeWeights(
  path: string,
  tensors: ReturnType<typeof randomCheckpointTensors>,
  {
    seed,
    preset,
    onProgress,
  }: { seed: number; preset: string; onProgress?: (p: RandomCheckpointProgress) => void },
): Promise<number> {
  const metadata = { format: 'pt', 'gemma3.random_preset': preset, 'gemma3.random_seed': String(seed) };
  const writer = await createSafetensorsWriter(path, tensors, metadata);
  const totalBytes = writer.tensors.reduce((sum, t) => sum + t.byteLength, 0);
  const buffer = new Uint16Array(CHUNK_ELEMENTS);
  let bytesWritten = 0;
  try {
    for (const [i, tensor] of writer.tensors.entries()) {
      const spec = tensors[i]!; // the writer keeps the declared order
      const table = normalBf16Table(spec.mean, spec.std);
      const keys = tensorKeys(seed, tensor.name);
      const elements = tensor.byteLength / 2;
      for (let start = 0; start < elements; start += CHUNK_ELEMENTS) {
        const chunk = buffer.subarray(0, Math.min(CHUNK_ELEMENTS, elements - start));
        fillNormalBf16(chunk, table, keys, start);
        await writer.write(tensor.name, chunk);
        bytesWritten += chunk.byteLength;
        onProgress?.({ bytesWritten, totalBytes, tensor: tensor.name });
      }
    }
    await writer.close();
  } catch (error) {
    await writer.abort();
    throw error;
  }
  return totalBytes;
}
