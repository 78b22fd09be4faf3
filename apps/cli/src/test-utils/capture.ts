import type { CliIo } from '../io.js';

/** A CliIo that collects what a command writes (stderr reports `isTTY` as given). */
export function capture(isTTY = false) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    stdout: { write: (t: string) => out.push(t) },
    stderr: { write: (t: string) => err.push(t), isTTY },
  };
  return { io, stdout: () => out.join(''), stderr: () => err.join('') };
}
