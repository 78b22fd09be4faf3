import { createHash, type Hash } from 'node:crypto';
import { open, rename, stat, unlink } from 'node:fs/promises';
import { isNotFound } from './cache-layout.js';
import { ChecksumMismatchError } from './errors/checksum-mismatch-error.js';
import { SizeMismatchError } from './errors/size-mismatch-error.js';
import {
  asTransient,
  type HttpSettings,
  IdleDeadline,
  request,
  TransientError,
  throwIfRetryable,
  withRetries,
} from './http-client.js';
import { type HubRequestContext, hubStatusError } from './hub-status-error.js';
import { checksumAlgorithmFor, gitBlobSha1, hashFilePrefix } from './verify-blob.js';

export interface BlobDownload {
  /** The resolve URL (redirects to a CDN are followed). */
  url: string;
  /** Final path, `blobs/<etag>`; bytes go to `<blobPath>.incomplete` until verified. */
  blobPath: string;
  etag: string;
  expectedSize: number | undefined;
  context: HubRequestContext & { file: string };
  onProgress?: (loaded: number, total: number | undefined) => void;
}

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch (error) {
    if (isNotFound(error)) return 0;
    throw error;
  }
}

/** `bytes 100-199/200` -> { start: 100, total: 200 } (total undefined for `*`). */
function parseContentRange(header: string | null): { start: number; total: number | undefined } | undefined {
  const match = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(header?.trim() ?? '');
  if (match === null) return undefined;
  return { start: Number(match[1]), total: match[2] === '*' ? undefined : Number(match[2]) };
}

/**
 * Downloads one blob resumably: appends to `<blob>.incomplete` with `Range: bytes=N-` when a partial
 * file exists (a 206 appends, a 200 starts over), retries transient failures from where it stopped,
 * checks the size and the checksum the ETag allows, deletes the partial file on a mismatch, and only
 * then renames it to its final name. Callers hold the blob's lock.
 */
export async function downloadBlob(download: BlobDownload, settings: HttpSettings): Promise<void> {
  const { url, blobPath, etag, expectedSize, context, onProgress } = download;
  const { modelId, file } = context;
  const partialPath = `${blobPath}.incomplete`;
  const algorithm = checksumAlgorithmFor(etag);
  // Running sha256 of the partial file's bytes; `hashed` says how many it covers.
  let sha256: Hash | undefined;
  let hashed = 0;

  const sizeMismatch = async (actual: number, where: string) => {
    await unlink(partialPath).catch(() => {});
    return new SizeMismatchError({ modelId, file, expected: expectedSize ?? -1, actual, where });
  };

  /**
   * Where the body starts in the file: `offset` for a 206 continuing the partial file, 0 for a 200
   * (the whole file). Typed errors for hub errors and sizes that disagree with the announced one; a
   * TransientError, after deleting the partial file, when it cannot be continued (416, or a
   * Content-Range starting elsewhere).
   */
  const startingOffset = async (response: Response, responseUrl: string, offset: number): Promise<number> => {
    const startOver = async (status: number, reason: string) => {
      await response.body?.cancel().catch(() => {});
      await unlink(partialPath).catch(() => {});
      return new TransientError(responseUrl, status, new Error(reason), 0);
    };
    if (response.status === 416 && offset > 0) throw await startOver(416, 'the partial file does not fit');
    if (!response.ok) throw await hubStatusError(response, responseUrl, context);
    if (response.status === 206) {
      const range = parseContentRange(response.headers.get('content-range'));
      if (range === undefined || range.start !== offset) {
        throw await startOver(206, 'Content-Range does not start at the partial size');
      }
      if (range.total !== undefined && expectedSize !== undefined && range.total !== expectedSize) {
        await response.body?.cancel().catch(() => {});
        throw await sizeMismatch(range.total, 'Content-Range');
      }
      return offset;
    }
    const length = response.headers.get('content-length');
    if (length !== null && expectedSize !== undefined && Number(length) !== expectedSize) {
      await response.body?.cancel().catch(() => {});
      throw await sizeMismatch(Number(length), 'Content-Length');
    }
    return 0; // The server sent the whole file.
  };

  await withRetries(settings, async () => {
    let offset = await sizeOf(partialPath);
    if (expectedSize !== undefined && offset > expectedSize) {
      await unlink(partialPath);
      offset = 0;
    }
    if (expectedSize !== undefined && offset === expectedSize && offset > 0) return;

    const deadline = new IdleDeadline(settings.timeoutMs, settings.signal);
    try {
      const headers: Record<string, string> = offset > 0 ? { Range: `bytes=${offset}-` } : {};
      const result = await request(url, { method: 'GET', headers }, settings, deadline);
      await throwIfRetryable(result);
      const { response } = result;
      offset = await startingOffset(response, result.url, offset);

      if (algorithm === 'sha256' && (sha256 === undefined || hashed !== offset)) {
        sha256 = createHash('sha256');
        await hashFilePrefix(sha256, partialPath, offset);
        hashed = offset;
      }

      const handle = await open(partialPath, offset > 0 ? 'a' : 'w');
      let loaded = offset;
      onProgress?.(loaded, expectedSize);
      try {
        if (response.body === null) return;
        const reader = response.body.getReader();
        for (;;) {
          let chunk: Awaited<ReturnType<typeof reader.read>>;
          try {
            chunk = await reader.read();
          } catch (error) {
            asTransient(result.url, error, settings);
          }
          if (chunk.done) break;
          deadline.touch();
          await handle.write(chunk.value);
          sha256?.update(chunk.value);
          hashed += chunk.value.byteLength;
          loaded += chunk.value.byteLength;
          if (expectedSize !== undefined && loaded > expectedSize) {
            await reader.cancel().catch(() => {});
            await handle.close();
            throw await sizeMismatch(loaded, 'the body received');
          }
          onProgress?.(loaded, expectedSize);
        }
        if (expectedSize !== undefined && loaded < expectedSize) {
          // A body that ended early: the next attempt resumes from here with a Range request.
          const cause = new Error(`connection closed after ${loaded} of ${expectedSize} bytes`);
          throw new TransientError(result.url, undefined, cause);
        }
      } finally {
        await handle.close().catch(() => {});
      }
    } finally {
      deadline.clear();
    }
  });

  const size = await sizeOf(partialPath);
  if (expectedSize !== undefined && size !== expectedSize) {
    // Unreachable unless the file changed under us; keep the bytes for a later resume.
    throw new SizeMismatchError({
      modelId,
      file,
      expected: expectedSize,
      actual: size,
      where: 'the download',
    });
  }
  let actual: string | undefined;
  if (algorithm === 'sha256') {
    if (sha256 === undefined || hashed !== size) {
      sha256 = createHash('sha256');
      await hashFilePrefix(sha256, partialPath, size);
    }
    actual = sha256.digest('hex');
  } else if (algorithm === 'git-sha1') {
    actual = await gitBlobSha1(partialPath, size);
  }
  if (algorithm !== undefined && actual !== etag) {
    await unlink(partialPath).catch(() => {});
    throw new ChecksumMismatchError({ modelId, file, algorithm, expected: etag, actual: actual ?? '' });
  }
  await rename(partialPath, blobPath);
}
