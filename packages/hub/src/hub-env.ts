import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const DEFAULT_ENDPOINT = 'https://huggingface.co';

export type Env = Readonly<Record<string, string | undefined>>;

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function expandHome(path: string): string {
  return path === '~' || path.startsWith('~/') ? join(homedir(), path.slice(1)) : path;
}

/** huggingface_hub's truthy spellings: 1, ON, YES, TRUE (any case). */
export function isTruthyEnv(value: string | undefined): boolean {
  return value !== undefined && ['1', 'on', 'yes', 'true'].includes(value.trim().toLowerCase());
}

/** `HF_HOME`, else `$XDG_CACHE_HOME/huggingface`, else `~/.cache/huggingface`. */
export function hfHome(env: Env = process.env): string {
  const home = nonEmpty(env.HF_HOME);
  if (home !== undefined) return expandHome(home);
  const xdg = nonEmpty(env.XDG_CACHE_HOME);
  return join(xdg === undefined ? join(homedir(), '.cache') : expandHome(xdg), 'huggingface');
}

/**
 * The hub cache folder, with huggingface_hub's precedence: `HF_HUB_CACHE`, then the legacy
 * `HUGGINGFACE_HUB_CACHE`, then `hfHome()/hub`.
 */
export function hubCacheDir(env: Env = process.env): string {
  const explicit = nonEmpty(env.HF_HUB_CACHE) ?? nonEmpty(env.HUGGINGFACE_HUB_CACHE);
  return explicit === undefined ? join(hfHome(env), 'hub') : expandHome(explicit);
}

/** `HF_ENDPOINT` or https://huggingface.co, without a trailing slash. */
export function hubEndpoint(env: Env = process.env): string {
  return (nonEmpty(env.HF_ENDPOINT) ?? DEFAULT_ENDPOINT).replace(/\/+$/, '');
}

/** `HF_HUB_OFFLINE` (or the legacy `TRANSFORMERS_OFFLINE`) set to a truthy value. */
export function hubOffline(env: Env = process.env): boolean {
  return isTruthyEnv(env.HF_HUB_OFFLINE) || isTruthyEnv(env.TRANSFORMERS_OFFLINE);
}

/**
 * `HF_TOKEN`, then `HUGGING_FACE_HUB_TOKEN`, then the file `hf auth login` writes (`HF_TOKEN_PATH`
 * or `hfHome()/token`). Undefined when none is set.
 */
export function hubToken(env: Env = process.env): string | undefined {
  const fromEnv = nonEmpty(env.HF_TOKEN) ?? nonEmpty(env.HUGGING_FACE_HUB_TOKEN);
  if (fromEnv !== undefined) return fromEnv;
  const tokenPath = expandHome(nonEmpty(env.HF_TOKEN_PATH) ?? join(hfHome(env), 'token'));
  try {
    return nonEmpty(readFileSync(tokenPath, 'utf8'));
  } catch {
    return undefined;
  }
}
