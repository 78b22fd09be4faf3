import type { GenerationCallOptions, PipelineOptions } from '@gemma3/pipeline';
import type { CommandOptions } from '../command.js';
import { UsageError } from '../errors/usage-error.js';
import { DTYPE_HELP, DTYPE_OPTIONS, dtypeOptions } from './dtype-flags.js';

type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

/** Flags shared by `run`, `chat` and `demo`: how the model is loaded and how it generates. */
export const GENERATION_OPTIONS: CommandOptions = {
  'max-new-tokens': { type: 'string' },
  temperature: { type: 'string' },
  'top-k': { type: 'string' },
  'top-p': { type: 'string' },
  seed: { type: 'string' },
  ...DTYPE_OPTIONS,
  'pan-and-scan': { type: 'boolean' },
  system: { type: 'string' },
  revision: { type: 'string' },
  'cache-dir': { type: 'string' },
};

export const GENERATION_HELP = `Generation:
  --max-new-tokens N   tokens to generate at most (default 256)
  --temperature T      0 = greedy (argmax); > 0 samples at that temperature
                       (default: the model's generation_config.json; Gemma 3: sampling, top-k 64, top-p 0.95)
  --top-k K            keep the K most likely tokens when sampling (0 = off)
  --top-p P            nucleus sampling mass in (0, 1] (1 = off)
  --seed N             sampling seed (same seed, same answer; default random)
  --system TEXT        a system prompt (folded into the first user turn, as Gemma's chat template does)
  --pan-and-scan       also feed crops of large non-square images (more image tokens)

Model:
${DTYPE_HELP}
  --revision REV       branch, tag or commit for a Hugging Face model id (default main)
  --cache-dir DIR      folder of built ONNX graphs (default $GEMMA3_CACHE_DIR or ~/.cache/gemma3)
  Model ids download into the Hugging Face cache (HF_HOME, HF_HUB_CACHE); HF_TOKEN for gated models,
  HF_HUB_OFFLINE=1 to use the cache only.`;

export const DEFAULT_MAX_NEW_TOKENS = 256;

function number(values: Values, flag: string, command: string, rule: (n: number) => boolean, what: string) {
  const raw = values[flag];
  if (raw === undefined) return undefined;
  const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : Number.NaN;
  if (!Number.isFinite(value) || !rule(value)) {
    throw new UsageError(`--${flag} must be ${what}, got "${String(raw)}"`, command);
  }
  return value;
}

/** Generation options from the flags (only those given: the rest come from generation_config.json). */
export function generationOptions(values: Values, command: string): GenerationCallOptions {
  const maxNewTokens =
    number(values, 'max-new-tokens', command, (n) => Number.isInteger(n) && n >= 1, 'an integer >= 1') ??
    DEFAULT_MAX_NEW_TOKENS;
  const temperature = number(values, 'temperature', command, (n) => n >= 0, 'a number >= 0');
  const topK = number(values, 'top-k', command, (n) => Number.isInteger(n) && n >= 0, 'an integer >= 0');
  const topP = number(values, 'top-p', command, (n) => n > 0 && n <= 1, 'a number in (0, 1]');
  const seed = number(
    values,
    'seed',
    command,
    (n) => Number.isSafeInteger(n) && n >= 0,
    'a non-negative integer',
  );
  return {
    maxNewTokens,
    ...(temperature === undefined ? {} : { temperature, doSample: temperature > 0 }),
    ...(topK === undefined ? {} : { topK }),
    ...(topP === undefined ? {} : { topP }),
    ...(seed === undefined ? {} : { seed }),
  };
}

/** Loading options from the flags. */
export function loadOptions(values: Values, command: string, stderrIsTTY: boolean): PipelineOptions {
  const dtype = dtypeOptions(values, command);
  const revision = values.revision;
  const cacheDir = values['cache-dir'];
  return {
    progress: stderrIsTTY,
    ...dtype,
    ...(typeof cacheDir === 'string' ? { cacheDir } : {}),
    ...(typeof revision === 'string' ? { hub: { revision } } : {}),
  };
}

export function requireString(values: Values, flag: string, command: string): string {
  const value = values[flag];
  if (typeof value !== 'string' || value === '') throw new UsageError(`--${flag} is required`, command);
  return value;
}

export function stringList(values: Values, flag: string): string[] {
  const value = values[flag];
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string');
}
