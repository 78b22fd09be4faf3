// Preloaded with `--import` (before tsx) to list every module a process loads into the file named by
// GEMMA3_IMPORT_LOG, one URL or path a line: ES modules as the loader resolves them (record-imports-hooks.mjs,
// appended before each import completes), then at exit the CommonJS modules in require's cache (packages
// such as onnxruntime-node are CommonJS, and their own require()s never reach the ESM hooks).
// Plain JavaScript: it runs before tsx is loaded.
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';

const log = process.env.GEMMA3_IMPORT_LOG;
if (!log) throw new Error('record-imports.mjs: set GEMMA3_IMPORT_LOG to the file to write');
register(new URL('./record-imports-hooks.mjs', import.meta.url), { data: { log } });
const { cache } = createRequire(import.meta.url);
process.on('exit', () => {
  appendFileSync(
    log,
    Object.keys(cache)
      .map((file) => `${file}\n`)
      .join(''),
  );
});
