#!/usr/bin/env node
// Runs the built CLI (apps/cli/dist). In the workspace without a build, use
// `pnpm --filter @gemma3/cli start -- <args>` (runs the TypeScript sources through tsx).
import { existsSync } from 'node:fs';

const main = new URL('../dist/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write(
    'gemma3: error: apps/cli is not built (run `pnpm build`), or use `pnpm --filter @gemma3/cli start -- ...`\n',
  );
  process.exit(1);
}
await import(main.href);
