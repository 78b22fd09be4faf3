import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { LockTimeoutError } from './errors/lock-timeout-error.js';
import { withFileLock } from './file-lock.js';

let dir: string;
let lockPath: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gemma3-lock-'));
  lockPath = join(dir, 'blob.lock');
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const liveOwner = () => JSON.stringify({ pid: process.pid, host: hostname() });

describe('withFileLock', () => {
  test('holds an O_EXCL lock file naming its owner during the task, removes it after', async () => {
    const seen = await withFileLock(lockPath, async () => (await readdir(dir)).slice());
    expect(seen).toEqual(['blob.lock']);
    expect(await readdir(dir)).toEqual([]);
  });

  test('two tasks on one lock never overlap', async () => {
    let inside = 0;
    let maxInside = 0;
    const task = async () => {
      inside++;
      maxInside = Math.max(maxInside, inside);
      await new Promise((r) => setTimeout(r, 30));
      inside--;
    };
    await Promise.all([1, 2, 3].map(() => withFileLock(lockPath, task, { pollMs: 5 })));
    expect(maxInside).toBe(1);
  });

  test('waits while a live holder keeps it, then proceeds once released', async () => {
    await writeFile(lockPath, liveOwner());
    const started = Date.now();
    setTimeout(() => void rm(lockPath), 150);
    await withFileLock(lockPath, async () => {}, { pollMs: 10 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
  });

  test('gives up with LockTimeoutError after waitMs', async () => {
    await writeFile(lockPath, liveOwner());
    const error = await withFileLock(lockPath, async () => {}, { pollMs: 10, waitMs: 60 }).catch((e) => e);
    expect(error).toBeInstanceOf(LockTimeoutError);
    expect(error.lockPath).toBe(lockPath);
  });

  test('takes over a lock whose process on this host is gone', async () => {
    const deadPid = spawnSync(process.execPath, ['-e', '']).pid;
    await writeFile(lockPath, JSON.stringify({ pid: deadPid, host: hostname() }));
    let ran = false;
    await withFileLock(
      lockPath,
      async () => {
        ran = true;
      },
      { waitMs: 0 },
    );
    expect(ran).toBe(true);
  });

  test('takes over a lock nobody refreshed for staleMs (holder on another host)', async () => {
    await writeFile(lockPath, JSON.stringify({ pid: 1, host: 'elsewhere' }));
    const old = new Date(Date.now() - 120_000);
    await utimes(lockPath, old, old);
    await withFileLock(lockPath, async () => {}, { waitMs: 0, staleMs: 60_000 });
  });
});
