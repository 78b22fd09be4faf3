import { realpath, stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { ShardMissingError } from './errors/shard-missing-error.js';
import { ShardPathEscapeError } from './errors/shard-path-escape-error.js';

function isInside(root: string, candidate: string): boolean {
  const rel = relative(root, candidate);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/**
 * The path of shard `name` named by `indexFile` in `folder`, refusing names that are absolute,
 * contain `..` or a drive letter, and files that (following links) resolve outside `root`.
 */
export async function resolveShardPath(
  indexFile: string,
  folder: string,
  root: string,
  name: string,
): Promise<string> {
  const segments = name.split(/[\\/]/);
  if (name === '' || isAbsolute(name) || /^[A-Za-z]:/.test(name) || segments.includes('..')) {
    throw new ShardPathEscapeError(indexFile, name, folder);
  }
  const path = resolve(folder, name);
  if (!isInside(folder, path)) throw new ShardPathEscapeError(indexFile, name, folder);
  let real: string;
  try {
    real = await realpath(path);
    if (!(await stat(real)).isFile()) throw new ShardMissingError(indexFile, path, name);
  } catch (error) {
    if (error instanceof ShardMissingError) throw error;
    throw new ShardMissingError(indexFile, path, name);
  }
  if (!isInside(await realpath(root), real)) throw new ShardPathEscapeError(indexFile, name, root);
  return path;
}
