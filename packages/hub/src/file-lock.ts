import { open, readFile, stat, unlink, utimes } from 'node:fs/promises';
import { hostname } from 'node:os';
import { LockTimeoutError } from './errors/lock-timeout-error.js';

export interface FileLockOptions {
  /** A lock whose file was not touched for this long is stale (its holder refreshes it 4x as often). */
  staleMs?: number;
  /** Give up after waiting this long for another holder. */
  waitMs?: number;
  pollMs?: number;
  signal?: AbortSignal;
}

interface LockOwner {
  pid: number;
  host: string;
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Stale when its holder on this host is gone, or when nobody refreshed it for `staleMs`. */
async function isStale(lockPath: string, staleMs: number): Promise<boolean> {
  try {
    const [info, text] = await Promise.all([stat(lockPath), readFile(lockPath, 'utf8')]);
    if (Date.now() - info.mtimeMs > staleMs) return true;
    const owner = JSON.parse(text) as Partial<LockOwner>;
    return owner.host === hostname() && typeof owner.pid === 'number' && !processIsAlive(owner.pid);
  } catch {
    // Vanished (released meanwhile) or half written (its creator is writing it right now): not stale.
    return false;
  }
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `task` while holding `lockPath`, a file created with O_EXCL (`wx`) that names its holder
 * (pid, host). Waits while another live holder has it; takes over a stale one. Kept simple: two
 * processes that judge the same lock stale at the same instant may both proceed; the sha256 check of
 * the download still catches any interleaving.
 */
export async function withFileLock<T>(
  lockPath: string,
  task: () => Promise<T>,
  options: FileLockOptions = {},
): Promise<T> {
  const { staleMs = 60_000, waitMs = 30 * 60_000, pollMs = 200, signal } = options;
  const started = Date.now();
  for (;;) {
    signal?.throwIfAborted();
    try {
      const handle = await open(lockPath, 'wx');
      try {
        await handle.writeFile(JSON.stringify({ pid: process.pid, host: hostname() } satisfies LockOwner));
      } finally {
        await handle.close();
      }
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (await isStale(lockPath, staleMs)) {
      await unlink(lockPath).catch(() => {});
      continue;
    }
    if (Date.now() - started > waitMs) throw new LockTimeoutError(lockPath, Date.now() - started);
    await delay(pollMs);
  }
  const heartbeat = setInterval(
    () => {
      const now = new Date();
      utimes(lockPath, now, now).catch(() => {});
    },
    Math.max(staleMs / 4, 10),
  );
  try {
    return await task();
  } finally {
    clearInterval(heartbeat);
    await unlink(lockPath).catch(() => {});
  }
}
