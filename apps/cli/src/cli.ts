import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Gemma3Error } from '@gemma3/errors';
import type { Command, CommandEntry } from './command.js';
import { COMMANDS } from './commands/index.js';
import { UsageError } from './errors/usage-error.js';
import { type CliIo, processIo } from './io.js';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

export function mainHelp(commands: readonly CommandEntry[] = COMMANDS): string {
  const width = Math.max(...commands.map((c) => c.name.length)) + 2;
  return `Usage: gemma3 <command> [options]

Run Gemma 3 models locally from Node.js.

Commands:
${commands.map((c) => `  ${c.name.padEnd(width)}${c.summary}`).join('\n')}

Options:
  -h, --help     show help (also: gemma3 <command> --help)
  --version      print the version
  --verbose      show stack traces on errors

Exit codes: 0 success, 1 error while running, 2 bad command line.
`;
}

/**
 * Runs the gemma3 command line `argv` (without node and script) and returns the exit code. Never throws:
 * errors become one line on stderr (`gemma3: error: ...`; stack and causes with --verbose).
 */
export async function runCli(
  argv: readonly string[],
  io: CliIo = processIo,
  commands: readonly CommandEntry[] = COMMANDS,
): Promise<number> {
  // `pnpm start -- args` passes the `--` through: drop a leading one.
  if (argv[0] === '--') argv = argv.slice(1);
  const verbose = argv.includes('--verbose');
  try {
    const [first, ...afterFirst] = argv;
    // `pnpm demo -- --flag` passes the `--` after the command name too: drop it there as well.
    const rest = afterFirst[0] === '--' ? afterFirst.slice(1) : afterFirst;
    if (first === undefined || first === '-h' || first === '--help' || first === 'help') {
      const topic = first === 'help' ? rest[0] : undefined;
      const command = topic === undefined ? undefined : await findCommand(commands, topic);
      // Bare `gemma3` is a usage error: help goes to stderr, exit 2.
      (first === undefined ? io.stderr : io.stdout).write(command ? command.help : mainHelp(commands));
      return first === undefined ? EXIT_USAGE : EXIT_OK;
    }
    if (first === '--version') {
      io.stdout.write(`${version()}\n`);
      return EXIT_OK;
    }
    if (first === '--verbose') return await runCli(rest.concat('--verbose'), io, commands);
    if (first.startsWith('-')) throw new UsageError(`unknown option ${first} (options go after the command)`);
    const command = await findCommand(commands, first);
    const { values, positionals } = parse(command, rest);
    if (values.help === true) {
      io.stdout.write(command.help);
      return EXIT_OK;
    }
    return (await command.run({ values, positionals, io, verbose })) ?? EXIT_OK;
  } catch (error) {
    return report(error, io, verbose);
  }
}

/** The command called `name`, its module imported now if it is a LazyCommand. */
async function findCommand(commands: readonly CommandEntry[], name: string): Promise<Command> {
  const entry = commands.find((c) => c.name === name);
  if (!entry) {
    throw new UsageError(`unknown command "${name}" (commands: ${commands.map((c) => c.name).join(', ')})`);
  }
  return 'load' in entry ? await entry.load() : entry;
}

function parse(command: Command, args: readonly string[]) {
  try {
    return parseArgs({
      args: [...args],
      options: {
        ...command.options,
        help: { type: 'boolean', short: 'h' },
        verbose: { type: 'boolean' },
      },
      allowPositionals: command.allowPositionals ?? false,
      strict: true,
    });
  } catch (error) {
    // parseArgs errors (ERR_PARSE_ARGS_*) describe the bad option in one sentence.
    const message = (error as Error).message.split('\n')[0]!.replace(/\. To specify a positional.*$/, '');
    throw new UsageError(message, command.name);
  }
}

function report(error: unknown, io: CliIo, verbose: boolean): number {
  const usage = error instanceof UsageError;
  const message = error instanceof Error ? error.message : String(error);
  io.stderr.write(`gemma3: error: ${message}\n`);
  if (usage) {
    const help = error.command ? `gemma3 ${error.command} --help` : 'gemma3 --help';
    io.stderr.write(`Run "${help}" for usage.\n`);
  }
  if (verbose && error instanceof Error) {
    io.stderr.write(`${error.stack ?? ''}\n`);
    let cause = error.cause;
    while (cause !== undefined) {
      io.stderr.write(
        `Caused by: ${cause instanceof Error ? (cause.stack ?? cause.message) : String(cause)}\n`,
      );
      cause = cause instanceof Error ? cause.cause : undefined;
    }
  } else if (!usage && !Gemma3Error.isInstance(error)) {
    io.stderr.write('(an unexpected error: run again with --verbose for details)\n');
  }
  return usage ? EXIT_USAGE : EXIT_FAILURE;
}
