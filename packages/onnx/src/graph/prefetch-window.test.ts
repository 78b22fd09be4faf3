import { describe, expect, it } from 'vitest';
import { PrefetchWindow } from './prefetch-window.js';

function window(sizes: number[], limit: number, fail?: number) {
  const started: number[] = [];
  const w = new PrefetchWindow(
    sizes.length,
    (i) => sizes[i]!,
    limit,
    async (i) => {
      started.push(i);
      if (i === fail) throw new Error(`item ${i}`);
      return i * 10;
    },
  );
  return { w, started };
}

describe('PrefetchWindow', () => {
  it('starts items in order, ahead of the one taken while the bytes ahead fit the limit', async () => {
    const { w, started } = window([5, 4, 4, 4, 100, 1], 10);
    expect(await w.take(0)).toBe(0);
    expect(started).toEqual([0, 1, 2]); // 4 + 4 <= 10; a third 4 would be 12
    expect(await w.take(1)).toBe(10);
    expect(started).toEqual([0, 1, 2, 3]);
    expect(await w.take(2)).toBe(20);
    expect(started).toEqual([0, 1, 2, 3]); // 4 + 100 > 10
    expect(await w.take(3)).toBe(30);
    expect(started).toEqual([0, 1, 2, 3, 4]); // the next one starts whatever its size
    expect(await w.take(4)).toBe(40);
    expect(await w.take(5)).toBe(50);
    expect(started).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('with limit 0 produces one at a time', async () => {
    const { w, started } = window([1, 1, 1], 0);
    await w.take(0);
    expect(started).toEqual([0]);
    await w.take(1);
    expect(started).toEqual([0, 1]);
  });

  it('reports a failure when its item is taken, not before', async () => {
    const { w } = window([1, 1, 1], 10, 2);
    expect(await w.take(0)).toBe(0); // item 2 already started (and failed)
    expect(await w.take(1)).toBe(10);
    await expect(w.take(2)).rejects.toThrow('item 2');
  });
});
