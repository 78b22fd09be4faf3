import { describe, expect, test } from 'vitest';
import { createProgressBar } from './progress-bar.js';

function fakeStream(isTTY: boolean) {
  const chunks: string[] = [];
  return { stream: { isTTY, write: (s: string) => chunks.push(s) } as unknown as NodeJS.WriteStream, chunks };
}

describe('progress bar', () => {
  test('without a terminal it prints a line per quarter and a final line', () => {
    const { stream, chunks } = fakeStream(false);
    const bar = createProgressBar({ label: 'build', total: 100, stream, format: String });
    for (let i = 0; i <= 100; i += 5) bar.update(i);
    bar.finish();
    expect(chunks.length).toBe(5);
    expect(chunks[4]).toBe(`build [${'#'.repeat(30)}] 100% 100/100\n`);
  });

  test('on a terminal it redraws in place and ends with a newline', () => {
    const { stream, chunks } = fakeStream(true);
    const bar = createProgressBar({ label: 'b', total: 10, stream, format: String });
    bar.update(5);
    bar.finish();
    expect(chunks[0]).toBe(`\rb [${'#'.repeat(15)}${'.'.repeat(15)}] 50% 5/10`);
    expect(chunks.at(-1)!.endsWith('\n')).toBe(true);
  });
});
