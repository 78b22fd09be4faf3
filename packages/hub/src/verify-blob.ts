import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';

export type ChecksumAlgorithm = 'sha256' | 'git-sha1';

/**
 * Which check an ETag allows: 64 hex digits are the sha256 of an LFS file, 40 hex digits the git
 * blob sha1 of a small file (sha1 of `blob <size>\0<bytes>`). Anything else (a CDN's own ETag) is
 * not checked.
 */
export function checksumAlgorithmFor(etag: string): ChecksumAlgorithm | undefined {
  if (/^[0-9a-f]{64}$/.test(etag)) return 'sha256';
  if (/^[0-9a-f]{40}$/.test(etag)) return 'git-sha1';
  return undefined;
}

/** Feeds `hash` with bytes [0, end) of a file. */
export async function hashFilePrefix(hash: Hash, path: string, end: number): Promise<void> {
  if (end === 0) return;
  for await (const chunk of createReadStream(path, { start: 0, end: end - 1 })) hash.update(chunk as Buffer);
}

/** Git's blob id of a file of `size` bytes. */
export async function gitBlobSha1(path: string, size: number): Promise<string> {
  const hash = createHash('sha1').update(`blob ${size}\0`);
  await hashFilePrefix(hash, path, size);
  return hash.digest('hex');
}
