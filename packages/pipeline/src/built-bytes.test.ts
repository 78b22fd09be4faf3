import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUILD_CASES, builtBytes } from './test-utils/built-bytes.js';

/**
 * The bytes the builds write, pinned: fixtures/built-bytes.json was made by bench/built-bytes.ts on
 * commit 0636ee7 (main-thread quantization, before the worker-thread build), so a faster build must
 * write exactly the files the plain one did (same numerics, same layout, same offsets).
 */
const EXPECTED = JSON.parse(
  readFileSync(resolve(import.meta.dirname, '../fixtures/built-bytes.json'), 'utf8'),
) as Record<string, Record<string, string>>;

describe('built external data files equal the pinned bytes', () => {
  for (const build of BUILD_CASES) {
    it(build.name, async () => {
      const cacheDir = await mkdtemp(join(tmpdir(), 'gemma3-built-bytes-'));
      try {
        expect(await builtBytes(build, cacheDir)).toEqual(EXPECTED[build.name]);
      } finally {
        await rm(cacheDir, { recursive: true, force: true });
      }
    });
  }
});
