/**
 * Issue 16: how fast `gemma3` starts. Spawns the CLI as a user runs it and times spawn -> first output
 * line (stdout or stderr, whichever comes first; empty lines skipped), and spawn -> exit:
 *
 *   pnpm --filter @gemma3/cli bench:startup [-- --runs 10 --model DIR --entry dist|source|PATH ...]
 *
 * Cases, run round-robin (one of each per round, so load changes hit all of them alike):
 * - `node -e` printing one line: node's own start-up on this machine, the floor;
 * - `gemma3 --help` and `gemma3 serve --help`;
 * - `gemma3 run` on a tiny random checkpoint, 1 new token, with stdout/stderr as pipes (a script's view:
 *   the first line is the answer) and on a terminal (a user's view: `script` gives the child a pty; the
 *   node baseline is repeated under `script` to show what the pty adds).
 * `--entry dist` (default) runs apps/cli/dist/main.js, the package's `bin` (build first:
 * `npx -y pnpm@10 --filter "@gemma3/cli..." build`); `--entry source` runs src/main.ts through tsx as
 * `pnpm demo` does; a PATH (relative to apps/cli) runs that built main.js, e.g. a copy of an older build in
 * dist/before/ (node_modules still resolve from there), to compare builds side by side in one run
 * (`--entry dist/before/main.js --entry dist`). The checkpoint (default /tmp/cli-startup-tiny, tiny-text) is created when absent and
 * its graphs are built once before timing (into --cache-dir). Prints the load average before and after.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    runs: { type: 'string', default: '10' },
    model: { type: 'string', default: '/tmp/cli-startup-tiny' },
    'cache-dir': { type: 'string', default: '/tmp/cli-startup-cache' },
    entry: { type: 'string', multiple: true, default: ['dist'] },
  },
});
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1)
  throw new Error(`--runs must be an integer >= 1, got ${values.runs}`);
const model = values.model;
const cacheDir = values['cache-dir'];

const appDir = fileURLToPath(new URL('..', import.meta.url));
const node = process.execPath;

/** The command line that starts `gemma3` for an --entry: dist, source, or the path of a built main.js. */
function entryArgv(entry: string): string[] {
  if (entry === 'source')
    return [node, '--conditions=@gemma3/source', '--import', 'tsx', join(appDir, 'src/main.ts')];
  const main = resolve(appDir, entry === 'dist' ? 'dist/main.js' : entry);
  if (!existsSync(main)) {
    throw new Error(`${main} is missing: build first (npx -y pnpm@10 --filter "@gemma3/cli..." build)`);
  }
  return [node, main];
}
const entries = values.entry.map((entry) => ({ entry, argv: entryArgv(entry) }));

interface Timing {
  /** Spawn -> first non-empty line on stdout or stderr, ms (NaN: none). */
  firstLine: number;
  /** That line, for the report. */
  line: string;
  /** Spawn -> exit, ms. */
  exit: number;
  code: number | null;
}

/** Runs argv to its end, timing its first non-empty output line. */
function timeOne(argv: readonly string[]): Promise<Timing> {
  return new Promise((resolve, reject) => {
    let firstLine = Number.NaN;
    let line = '';
    const pending = { stdout: '', stderr: '' };
    const start = performance.now();
    const child = spawn(argv[0]!, argv.slice(1), { cwd: appDir, stdio: ['ignore', 'pipe', 'pipe'] });
    for (const stream of ['stdout', 'stderr'] as const) {
      child[stream].setEncoding('utf8');
      child[stream].on('data', (chunk: string) => {
        if (!Number.isNaN(firstLine)) return;
        pending[stream] += chunk;
        const lines = pending[stream].split('\n');
        // Complete lines only (the last piece has no newline yet); a pty ends lines with \r\n.
        const found = lines.slice(0, -1).find((l) => l.replace(/\r$/, '').trim() !== '');
        if (found !== undefined) {
          firstLine = performance.now() - start;
          line = found.replace(/\r$/, '');
        }
      });
    }
    child.on('error', reject);
    child.on('close', (code) => resolve({ firstLine, line, exit: performance.now() - start, code }));
  });
}

/** argv run with a pseudo-terminal as stdin/stdout/stderr (util-linux `script`). */
function onTerminal(argv: readonly string[]): string[] {
  const quoted = argv.map((a) => `'${a.replaceAll("'", `'\\''`)}'`).join(' ');
  return ['script', '-qfec', quoted, '/dev/null'];
}

if (!existsSync(`${model}/config.json`)) {
  process.stderr.write(`creating ${model} (tiny-text)\n`);
  const created = await timeOne([
    ...entries[0]!.argv,
    'create-random',
    '--preset',
    'tiny-text',
    '--out',
    model,
  ]);
  if (created.code !== 0) throw new Error(`create-random failed (exit ${created.code})`);
}
const runArgs = ['run', '--model', model, '--prompt', 'Hi', '--max-new-tokens', '1', '--temperature', '0'];
const baseline = [node, '-e', 'console.log(0)'];
const cases: { name: string; argv: string[] }[] = [
  { name: 'node -e (baseline)', argv: baseline },
  { name: 'node -e, on a terminal', argv: onTerminal(baseline) },
];
for (const { entry, argv } of entries) {
  const label = entries.length > 1 ? ` [${entry}]` : '';
  const runArgv = [...argv, ...runArgs, '--cache-dir', cacheDir];
  // The first run builds the graphs into the cache: not timed.
  const warm = await timeOne(runArgv);
  if (warm.code !== 0)
    throw new Error(`gemma3 run failed (exit ${warm.code}); by hand: ${runArgv.join(' ')}`);
  cases.push(
    { name: `gemma3 --help${label}`, argv: [...argv, '--help'] },
    { name: `gemma3 serve --help${label}`, argv: [...argv, 'serve', '--help'] },
    { name: `gemma3 run (pipes)${label}`, argv: runArgv },
    { name: `gemma3 run, on a terminal${label}`, argv: onTerminal(runArgv) },
  );
}

const before = loadavg();
const results = new Map<string, Timing[]>(cases.map((c) => [c.name, []]));
for (let round = 0; round < runs; round++) {
  for (const c of cases) {
    const t = await timeOne(c.argv);
    if (t.code !== 0) throw new Error(`${c.name}: exit ${t.code}`);
    results.get(c.name)!.push(t);
  }
}
const after = loadavg();

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const width = Math.max(...cases.map((c) => c.name.length)) + 2;
const ms = (x: number) => (Number.isNaN(x) ? '-' : x.toFixed(0).padStart(5));
process.stdout.write(
  `gemma3 start-up, entry ${values.entry.join(', ')}, ${runs} runs each (round-robin), node ${process.version}\n` +
    `load average before ${before.map((l) => l.toFixed(2)).join(' ')}, after ${after.map((l) => l.toFixed(2)).join(' ')}\n\n` +
    `${'case'.padEnd(width)} first line ms: median   min   max | exit ms: median | first line\n`,
);
for (const c of cases) {
  const ts = results.get(c.name)!;
  const first = ts.map((t) => t.firstLine);
  // Colour codes (a terminal's `node -e` output) left out.
  const lineText = ts[0]!.line.replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g'), '');
  process.stdout.write(
    `${c.name.padEnd(width)}               ${ms(median(first))} ${ms(Math.min(...first))} ${ms(Math.max(...first))} |          ${ms(median(ts.map((t) => t.exit)))} | ${lineText.slice(0, 60)}\n`,
  );
}
