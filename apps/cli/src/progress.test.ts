import { describe, expect, test } from 'vitest';
import { formatBytes } from './format.js';
import { progressLine } from './progress.js';

function sink(isTTY: boolean) {
  const parts: string[] = [];
  return {
    io: { stdout: { write: () => 0 }, stderr: { write: (t: string) => parts.push(t), isTTY } },
    parts,
  };
}

describe('progress line', () => {
  test('not a terminal: one line per 10% step', () => {
    const { io, parts } = sink(false);
    const p = progressLine(io, 'writing');
    for (let done = 0; done <= 1000; done += 5) p.update(done, 1000);
    p.finish();
    expect(parts).toHaveLength(11);
    expect(parts[10]).toBe('writing 100% (1.0 kB / 1.0 kB)\n');
  });

  test('terminal: rewritten in place, newline at the end', () => {
    const { io, parts } = sink(true);
    const p = progressLine(io, 'writing');
    p.update(5e8, 2e9);
    p.finish();
    expect(parts).toEqual(['\rwriting 25% (500.0 MB / 2.0 GB)\x1b[K', '\n']);
  });

  test('formatBytes', () => {
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(34_257_384)).toBe('34.3 MB');
    expect(formatBytes(8.6e9)).toBe('8.6 GB');
  });
});
