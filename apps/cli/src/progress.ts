import { formatBytes } from './format.js';
import type { CliIo } from './io.js';

/**
 * A progress line on stderr: rewritten in place on a terminal, else one line per 10% step (so logs
 * stay short). `update(done, total)`; `finish()` ends the line.
 */
export function progressLine(io: CliIo, label: string) {
  const tty = io.stderr.isTTY === true;
  let lastStep = -1;
  let started = false;
  return {
    update(done: number, total: number) {
      const percent = total === 0 ? 100 : Math.floor((done / total) * 100);
      const text = `${label} ${percent}% (${formatBytes(done)} / ${formatBytes(total)})`;
      if (tty) {
        io.stderr.write(`\r${text}\x1b[K`);
        started = true;
      } else if (Math.floor(percent / 10) > lastStep) {
        lastStep = Math.floor(percent / 10);
        io.stderr.write(`${text}\n`);
      }
    },
    finish() {
      if (tty && started) io.stderr.write('\n');
    },
  };
}
