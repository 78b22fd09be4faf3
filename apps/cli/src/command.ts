import type { ParseArgsConfig } from 'node:util';
import type { CliIo } from './io.js';

export type CommandOptions = NonNullable<ParseArgsConfig['options']>;

export interface CommandContext {
  /** Option values as parsed by node:util parseArgs with the command's `options`. */
  readonly values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  readonly positionals: readonly string[];
  readonly io: CliIo;
  readonly verbose: boolean;
}

/**
 * One `gemma3 <name>` subcommand. Add a new one by writing `src/commands/<name>.ts` exporting a
 * Command and listing it (a LazyCommand) in `src/commands/index.ts`. `--help` and `--verbose` are added
 * to every command; throw UsageError for a malformed command line (exit 2), anything else exits 1.
 */
export interface Command {
  readonly name: string;
  /** One line for `gemma3 --help`. */
  readonly summary: string;
  /** Full help text printed by `gemma3 <name> --help` (usage line, options, examples). */
  readonly help: string;
  readonly options: CommandOptions;
  /** Whether positional arguments are accepted (default false). */
  readonly allowPositionals?: boolean;
  /** Returns the exit code (default 0). */
  run(context: CommandContext): Promise<number | undefined>;
}

/**
 * A command as `gemma3` lists it: its name and summary (all that `gemma3 --help` prints), and `load`,
 * which imports the command's module. The dispatcher loads only the command that runs (or whose help is
 * asked for), so start-up imports what that command uses and no other command's packages.
 */
export interface LazyCommand {
  readonly name: string;
  /** The loaded Command's summary (a test checks they agree). */
  readonly summary: string;
  load(): Promise<Command>;
}

/** What the dispatcher accepts: a Command, or a LazyCommand loaded when it is chosen. */
export type CommandEntry = Command | LazyCommand;
