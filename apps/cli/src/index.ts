export { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, mainHelp, runCli } from './cli.js';
export type { Command, CommandContext, CommandEntry, CommandOptions, LazyCommand } from './command.js';
export { COMMANDS } from './commands/index.js';
export { UsageError } from './errors/usage-error.js';
export type { CliIo } from './io.js';
