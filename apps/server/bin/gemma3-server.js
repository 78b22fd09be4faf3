#!/usr/bin/env node
// Runs the built server (apps/server/dist). In the workspace without a build, use
// `pnpm --filter @gemma3/server start -- <args>` (runs the TypeScript sources through tsx).
// The bin is this file, not dist/main.js, so that installing the workspace before a build creates it.
import { existsSync } from 'node:fs';

const main = new URL('../dist/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write(
    'gemma3-server: error: apps/server is not built (run `pnpm build`), or use `pnpm --filter @gemma3/server start -- ...`\n',
  );
  process.exit(1);
}
await import(main.href);
