import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, rename, symlink, unlink } from 'node:fs/promises';
import { dirname, relative } from 'node:path';

/**
 * Points `snapshots/<commit>/<file>` at `blobs/<etag>` with a relative symlink, as huggingface_hub
 * does (`../../blobs/<etag>` for a top-level file), so the cache folder can move. The link is made
 * under a temporary name and renamed into place, so the final name is never half made. Where
 * symlinks are not allowed (Windows without developer mode), the blob is copied instead.
 */
export async function linkSnapshotFile(blobPath: string, pointerPath: string): Promise<void> {
  await mkdir(dirname(pointerPath), { recursive: true });
  const temporary = `${pointerPath}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await symlink(relative(dirname(pointerPath), blobPath), temporary);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EPERM' && code !== 'EACCES' && code !== 'ENOTSUP') throw error;
    await copyFile(blobPath, temporary);
  }
  try {
    await rename(temporary, pointerPath);
  } catch (error) {
    await unlink(temporary).catch(() => {});
    throw error;
  }
}
