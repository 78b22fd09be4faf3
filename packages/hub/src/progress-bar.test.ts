import { describe, expect, test } from 'vitest';
import { createProgressBar, formatBytes } from './progress-bar.js';

function fakeStream(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, stream: { isTTY, columns: 100, write: (text: string) => writes.push(text) } };
}

describe('createProgressBar', () => {
  test('writes nothing when the stream is not a terminal', () => {
    const { writes, stream } = fakeStream(false);
    const bar = createProgressBar({ stream });
    bar({ file: 'a', loaded: 1, total: 2 });
    bar({ file: 'a', loaded: 2, total: 2 });
    expect(writes).toEqual([]);
  });

  test('redraws one line in place, throttled, and ends the file with a newline', () => {
    const { writes, stream } = fakeStream(true);
    let clock = 0;
    const bar = createProgressBar({ stream, intervalMs: 100, now: () => clock });
    bar({ file: 'model.safetensors', loaded: 0, total: 2_000_000 });
    clock = 50;
    bar({ file: 'model.safetensors', loaded: 500_000, total: 2_000_000 }); // throttled
    clock = 150;
    bar({ file: 'model.safetensors', loaded: 1_000_000, total: 2_000_000 });
    bar({ file: 'model.safetensors', loaded: 2_000_000, total: 2_000_000 }); // completion always drawn
    bar({ file: 'model.safetensors', loaded: 2_000_000, total: 2_000_000 }); // already finished
    expect(writes.length).toBe(4);
    expect(writes[0]).toMatch(/^\rmodel\.safetensors {2}\[-+\] {3}0% {2}0 B \/ 2\.0 MB/);
    expect(writes[1]).toContain(' 50%  1.0 MB / 2.0 MB');
    expect(writes[2]).toContain('100%  2.0 MB / 2.0 MB');
    expect(writes[2]).toContain(`[${'#'.repeat(10)}`);
    expect(writes[3]).toBe('\n');
  });

  test('a new file after an unfinished one starts on a new line; unknown totals show bytes', () => {
    const { writes, stream } = fakeStream(true);
    const bar = createProgressBar({ stream });
    bar({ file: 'a.json', loaded: 10, total: 100 });
    bar({ file: 'b.json', loaded: 1500, total: undefined });
    expect(writes).toEqual([
      expect.stringContaining('a.json'),
      '\n',
      expect.stringMatching(/\rb\.json {2}1\.5 kB/),
    ]);
  });

  test('formatBytes', () => {
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(1000)).toBe('1.0 kB');
    expect(formatBytes(8_600_000_000)).toBe('8.6 GB');
  });
});
