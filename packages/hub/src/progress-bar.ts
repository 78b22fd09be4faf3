import type { DownloadProgress } from './resolve-model.js';

/** The part of a stream the bar writes to (process.stderr fits). */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressBarOptions {
  /** Default process.stderr. */
  stream?: ProgressStream;
  /** Least time between two redraws of the same file. Default 100 ms. */
  intervalMs?: number;
  /** Clock, for tests. */
  now?: () => number;
}

const UNITS = ['B', 'kB', 'MB', 'GB', 'TB'];

/** `1234567` -> `1.2 MB` (powers of 1000, like the hub's file sizes). */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${UNITS[unit]}`;
}

/**
 * An `onProgress` for resolveModel that draws one line per file on a terminal:
 * `model.safetensors  [#########-----------]  45%  1.2 GB / 2.6 GB`, redrawn in place at most every
 * `intervalMs`, ended with a newline when the file completes. Writes nothing when the stream is not
 * a TTY (piped output and CI logs stay clean).
 */
export function createProgressBar(options: ProgressBarOptions = {}): (progress: DownloadProgress) => void {
  const stream = options.stream ?? process.stderr;
  const intervalMs = options.intervalMs ?? 100;
  const now = options.now ?? Date.now;
  let currentFile: string | undefined;
  let lastDraw = Number.NEGATIVE_INFINITY;
  let finished = false;

  return ({ file, loaded, total }) => {
    if (!stream.isTTY) return;
    const done = total !== undefined && loaded >= total;
    if (file !== currentFile) {
      if (currentFile !== undefined && !finished) stream.write('\n');
      currentFile = file;
      finished = false;
      lastDraw = Number.NEGATIVE_INFINITY;
    }
    if (finished) return;
    const time = now();
    if (!done && time - lastDraw < intervalMs) return;
    lastDraw = time;
    const columns = stream.columns ?? 80;
    let line: string;
    if (total === undefined || total === 0) {
      line = `${file}  ${formatBytes(loaded)}`;
    } else {
      const fraction = Math.min(loaded / total, 1);
      const sizes = `${formatBytes(loaded)} / ${formatBytes(total)}`;
      const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
      const width = Math.max(10, Math.min(40, columns - file.length - sizes.length - 12));
      const filled = Math.round(fraction * width);
      line = `${file}  [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${percent}  ${sizes}`;
    }
    stream.write(`\r${line.slice(0, columns - 1)}\u001b[K`);
    if (done) {
      stream.write('\n');
      finished = true;
    }
  };
}
