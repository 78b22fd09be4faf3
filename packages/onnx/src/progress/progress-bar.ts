export interface ProgressBar {
  update(done: number): void;
  finish(): void;
}

export interface ProgressBarOptions {
  label: string;
  total: number;
  /** Default process.stderr. */
  stream?: NodeJS.WriteStream;
  /** Format of the counts, default bytes as MB. */
  format?: (n: number) => string;
}

const WIDTH = 30;

function megabytes(n: number): string {
  return `${(n / 1e6).toFixed(0)} MB`;
}

/**
 * A one-line progress bar on stderr. On a terminal it redraws in place (at most ~10 times a second);
 * otherwise it prints a line at each quarter so logs stay short.
 */
export function createProgressBar(options: ProgressBarOptions): ProgressBar {
  const stream = options.stream ?? process.stderr;
  const format = options.format ?? megabytes;
  const total = Math.max(options.total, 1);
  const tty = stream.isTTY === true;
  let lastDraw = 0;
  let lastQuarter = -1;
  let finished = false;

  const line = (done: number): string => {
    const fraction = Math.min(done / total, 1);
    const filled = Math.round(fraction * WIDTH);
    return `${options.label} [${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${(fraction * 100).toFixed(0)}% ${format(done)}/${format(total)}`;
  };

  return {
    update(done: number) {
      if (finished) return;
      if (tty) {
        const now = Date.now();
        if (now - lastDraw < 100 && done < total) return;
        lastDraw = now;
        stream.write(`\r${line(done)}`);
      } else {
        const quarter = Math.floor((Math.min(done / total, 1) * 100) / 25);
        if (quarter > lastQuarter) {
          lastQuarter = quarter;
          stream.write(`${line(done)}\n`);
        }
      }
    },
    finish() {
      if (finished) return;
      finished = true;
      if (tty) stream.write(`\r${line(total)}\n`);
      else if (lastQuarter < 4) stream.write(`${line(total)}\n`);
    },
  };
}
