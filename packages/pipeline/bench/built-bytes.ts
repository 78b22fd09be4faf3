/**
 * Prints the sha256 of every external data file the BUILD_CASES write (src/test-utils/built-bytes.ts), as
 * fixtures/built-bytes.json holds them. The fixture was made by running this on the commit before the
 * worker-thread build (0636ee7), so src/built-bytes.test.ts pins today's files to those bytes.
 *
 *   node --conditions=@gemma3/source --import tsx packages/pipeline/bench/built-bytes.ts > FILE
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUILD_CASES, builtBytes } from '../src/test-utils/built-bytes.js';

const result: Record<string, Record<string, string>> = {};
for (const build of BUILD_CASES) {
  const cacheDir = await mkdtemp(join(tmpdir(), 'gemma3-built-bytes-'));
  try {
    result[build.name] = await builtBytes(build, cacheDir);
  } finally {
    await rm(cacheDir, { recursive: true, force: true });
  }
}
console.log(JSON.stringify(result, null, 2));
