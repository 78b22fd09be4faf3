#!/usr/bin/env node
import { parseServeArgs, SERVE_HELP, ServeUsageError, serve } from './serve.js';

const argv = process.argv.slice(2);
if (argv.includes('--help') || argv.includes('-h')) {
  process.stdout.write(SERVE_HELP);
  process.exit(0);
}
try {
  await serve(parseServeArgs(argv));
} catch (error) {
  if (error instanceof ServeUsageError) {
    process.stderr.write(`gemma3-server: ${error.message}\n\n${SERVE_HELP}`);
    process.exit(2);
  }
  process.stderr.write(`gemma3-server: ${(error as Error)?.message ?? error}\n`);
  process.exit(1);
}
