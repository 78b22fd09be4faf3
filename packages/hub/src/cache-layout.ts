import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ModelId } from './model-id.js';

/**
 * Paths of one model in the Hugging Face cache (the layout huggingface_hub writes and reads):
 *
 *   <cacheDir>/models--org--name/
 *     refs/<revision>              commit hash the branch/tag pointed at, no newline
 *     blobs/<etag>                 file contents, named by sha256 (LFS) or git sha1 (small files)
 *     snapshots/<commit>/<file>    relative symlink to ../../blobs/<etag>
 */
export class ModelCache {
  readonly repoDir: string;

  constructor(
    readonly cacheDir: string,
    readonly model: ModelId,
  ) {
    this.repoDir = join(cacheDir, `models--${model.org}--${model.name}`);
  }

  refPath(revision: string): string {
    return join(this.repoDir, 'refs', ...revision.split('/'));
  }

  snapshotDir(commit: string): string {
    return join(this.repoDir, 'snapshots', commit);
  }

  pointerPath(commit: string, file: string): string {
    return join(this.snapshotDir(commit), ...file.split('/'));
  }

  blobPath(etag: string): string {
    return join(this.repoDir, 'blobs', etag);
  }

  /** The commit a ref file names, or undefined when the ref is not cached (or holds no commit hash). */
  async readRef(revision: string): Promise<string | undefined> {
    try {
      const commit = (await readFile(this.refPath(revision), 'utf8')).trim();
      return /^[0-9a-f]{40}$/.test(commit) ? commit : undefined;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /** Writes `refs/<revision>` (atomically, through a temporary file) when it changed. */
  async writeRef(revision: string, commit: string): Promise<void> {
    if ((await this.readRef(revision)) === commit) return;
    const path = this.refPath(revision);
    await mkdir(dirname(path), { recursive: true });
    const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
    await writeFile(temporary, commit);
    await rename(temporary, path);
  }
}

export function isNotFound(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** True when `path` exists as a file (following symlinks, so a dangling snapshot link is false). */
export async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
}
