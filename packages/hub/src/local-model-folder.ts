import { stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { isFile, isNotFound } from './cache-layout.js';
import { LocalModelNotFoundError } from './errors/local-model-not-found-error.js';

/** Absolute, `./`, `../`, `~/` or containing a backslash: meant as a path, never as a model id. */
export function looksLikePath(value: string): boolean {
  return (
    isAbsolute(value) ||
    value === '.' ||
    value === '..' ||
    value === '~' ||
    /^(\.{1,2}|~)[\\/]/.test(value) ||
    value.includes('\\')
  );
}

/**
 * The folder when `value` names a local model: an existing folder, or anything path-like (then it
 * must exist). Undefined when `value` is no existing path and does not look like one (a model id).
 * Throws LocalModelNotFoundError for a missing path, a file, or a folder without config.json.
 */
export async function localModelFolder(value: string): Promise<string | undefined> {
  const path = value === '~' || /^~[\\/]/.test(value) ? join(homedir(), value.slice(1)) : value;
  const pathLike = looksLikePath(value);
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(path)).isDirectory();
  } catch (error) {
    if (!isNotFound(error)) throw error;
    if (pathLike) throw new LocalModelNotFoundError(path, 'missing');
    return undefined;
  }
  if (!isDirectory) throw new LocalModelNotFoundError(path, 'not-a-directory');
  if (!(await isFile(join(path, 'config.json')))) throw new LocalModelNotFoundError(path, 'no-config');
  return path;
}
