// The `gemma3 serve` / `gemma3-server` command line: flags, help and their checks. Loads neither the
// server nor the pipeline (`@gemma3/server/serve-args`), so `gemma3 serve --help` and usage errors answer
// without loading onnxruntime.
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { DEFAULT_PREFIX_CACHE_BYTES, SUPPORTED_DTYPES } from '@gemma3/pipeline/options';
import type { ChatBackend } from './backend.js';
import type { ServerOptions } from './server.js';

export interface ServeOptions extends Omit<ServerOptions, 'backend'> {
  model: string;
  host: string;
  port: number;
  modelId?: string;
  dtype?: string;
  cacheDir?: string;
  /** Bytes of KV state kept for prefix reuse (the pipeline's prefixCacheBytes). */
  prefixCacheBytes?: number;
  /** SIGTERM / SIGINT: how long running requests may finish before they are aborted. */
  shutdownTimeoutMs: number;
  /** Load this instead of the model (tests, demos). */
  backend?: ChatBackend | Promise<ChatBackend>;
}

export const SERVE_HELP = `Usage: gemma3 serve --model M [options]

Serves a Gemma 3 model over an OpenAI-compatible HTTP API, with a web chat page at /.

  --model M                  local model folder or Hugging Face id (required)
  --host H                   address to bind (default 127.0.0.1: this machine only)
  --port P                   port (default 8080; 0 picks a free one)
  --dtype D                  weight precision: q8 (default; int8 decoder weights), fp32 or q4 (int4)
  --api-key K                require "Authorization: Bearer K" on /v1/* (default: $GEMMA3_API_KEY, else none)
  --model-id ID              the id clients send as "model" (default: folder name or hub id)
  --parallel N               sequences decoded together in one batch (continuous batching; default:
                             2 x the CPU cores, 2..8); requests beyond it wait in the queue
  --concurrency N            old name of --parallel
  --prefix-cache-bytes N     KV state of finished conversations kept for prefix reuse (default
                             536870912; 0: off)
  --max-queue N              requests waiting at most; more get 429 (default 16)
  --max-body-bytes N         largest request body (default 20971520)
  --default-max-tokens N     max_tokens of chat requests that give none (default 1024)
  --allow-remote-images      accept http(s) image URLs (public addresses only)
  --remote-image-max-bytes N largest remote image (default 10485760)
  --remote-image-timeout-ms N  time limit of a remote image fetch (default 10000)
  --shutdown-timeout-ms N    on SIGTERM, time running requests get before they are aborted (default 10000)
  --cache-dir DIR            folder of built ONNX graphs
  --served-by NAME           send "X-Served-By: NAME" on every response (names a replica behind nginx)
`;

export const SERVE_ARGS = {
  model: { type: 'string' },
  host: { type: 'string' },
  port: { type: 'string' },
  dtype: { type: 'string' },
  'api-key': { type: 'string' },
  'model-id': { type: 'string' },
  parallel: { type: 'string' },
  concurrency: { type: 'string' },
  'prefix-cache-bytes': { type: 'string' },
  'max-queue': { type: 'string' },
  'max-body-bytes': { type: 'string' },
  'default-max-tokens': { type: 'string' },
  'allow-remote-images': { type: 'boolean' },
  'remote-image-max-bytes': { type: 'string' },
  'remote-image-timeout-ms': { type: 'string' },
  'shutdown-timeout-ms': { type: 'string' },
  'cache-dir': { type: 'string' },
  'served-by': { type: 'string' },
} as const;

/** Thrown for a malformed command line (the caller prints it with the usage, exit 2). */
export class ServeUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ServeUsageError';
  }
}

type ArgValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

/** Turns parsed `gemma3 serve` flags (node:util parseArgs with SERVE_ARGS) into ServeOptions. */
export function serveOptionsFromValues(
  values: ArgValues,
  env: NodeJS.ProcessEnv = process.env,
): ServeOptions {
  const text = (key: string) => {
    const v = values[key];
    return typeof v === 'string' ? v : undefined;
  };
  const int = (key: string, fallback: number, min: number) => {
    const v = text(key);
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n < min)
      throw new ServeUsageError(`--${key} must be an integer >= ${min}, got "${v}"`);
    return n;
  };
  const model = text('model');
  if (model === undefined || model === '') throw new ServeUsageError('--model is required');
  const apiKey = text('api-key') ?? (env.GEMMA3_API_KEY || undefined);
  const options: ServeOptions = {
    model,
    host: text('host') ?? '127.0.0.1',
    port: int('port', 8080, 0),
    concurrency: int('parallel', int('concurrency', defaultParallel(), 1), 1),
    prefixCacheBytes: int('prefix-cache-bytes', DEFAULT_PREFIX_CACHE_BYTES, 0),
    maxQueue: int('max-queue', 16, 0),
    maxBodyBytes: int('max-body-bytes', 20 * 1024 * 1024, 1024),
    defaultMaxTokens: int('default-max-tokens', 1024, 1),
    allowRemoteImages: values['allow-remote-images'] === true,
    remoteImages: {
      maxBytes: int('remote-image-max-bytes', 10 * 1024 * 1024, 1),
      timeoutMs: int('remote-image-timeout-ms', 10_000, 1),
    },
    shutdownTimeoutMs: int('shutdown-timeout-ms', 10_000, 0),
  };
  if (options.port > 65535) throw new ServeUsageError(`--port must be at most 65535, got ${options.port}`);
  if (apiKey !== undefined) options.apiKey = apiKey;
  const modelId = text('model-id');
  if (modelId !== undefined) options.modelId = modelId;
  const dtype = text('dtype');
  if (dtype !== undefined) {
    if (!(SUPPORTED_DTYPES as readonly string[]).includes(dtype)) {
      throw new ServeUsageError(`--dtype must be one of ${SUPPORTED_DTYPES.join(', ')}, got ${dtype}`);
    }
    options.dtype = dtype;
  }
  const cacheDir = text('cache-dir');
  if (cacheDir !== undefined) options.cacheDir = cacheDir;
  const servedBy = text('served-by');
  if (servedBy !== undefined) {
    // A header value: printable ASCII without separators that could split it.
    if (!/^[\x21-\x7e]{1,64}$/.test(servedBy))
      throw new ServeUsageError(
        `--served-by must be 1-64 printable ASCII characters without spaces, got ${JSON.stringify(servedBy)}`,
      );
    options.servedBy = servedBy;
  }
  return options;
}

/**
 * Default rows of the running batch: a decode step costs about the same for a few rows as for one
 * (it reads every weight once), so 2 per core, at least 2 and at most 8.
 */
export function defaultParallel(): number {
  return Math.min(8, Math.max(2, 2 * availableParallelism()));
}

/** Parses `gemma3-server` / `gemma3 serve` arguments. */
export function parseServeArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): ServeOptions {
  let values: ArgValues;
  try {
    ({ values } = parseArgs({ args: [...argv], options: SERVE_ARGS, allowPositionals: false, strict: true }));
  } catch (error) {
    throw new ServeUsageError((error as Error).message);
  }
  return serveOptionsFromValues(values, env);
}
