import { describe, expect, test } from 'vitest';
import { positionIdsFromAttentionMask, preparePromptBatch } from './prompt-batch.js';

describe('prompt batch', () => {
  test('positions start at the first real token; padding positions are 1 (the reference fill)', () => {
    expect(
      positionIdsFromAttentionMask([
        [0, 0, 1, 1, 1],
        [1, 1, 1, 1, 1],
      ]),
    ).toEqual([
      [1, 1, 0, 1, 2],
      [0, 1, 2, 3, 4],
    ]);
  });

  test('ragged rows are left-padded with the pad id', () => {
    const batch = preparePromptBatch([[7], [7, 8, 9]], undefined, 10, 0);
    expect(batch.inputIds).toEqual([
      [0, 0, 7],
      [7, 8, 9],
    ]);
    expect(batch.attentionMask).toEqual([
      [0, 0, 1],
      [1, 1, 1],
    ]);
    expect(batch.realLengths).toEqual([1, 3]);
  });

  test("the caller's arrays are copied, not aliased", () => {
    const ids = [[1, 2]];
    const batch = preparePromptBatch(ids, [[1, 1]], 10, undefined);
    batch.inputIds[0]?.push(3);
    expect(ids).toEqual([[1, 2]]);
  });
});
