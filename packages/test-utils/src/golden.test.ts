import { describe, expect, test } from 'vitest';
import { checkpointDir, loadManifest, maxAbsDiff, maxAbsDiffMasked, readGolden } from './golden.js';

describe('golden fixtures', () => {
  test('reads a manifest and its tensors (tiny-text)', async () => {
    const manifest = loadManifest('tiny-text');
    expect(checkpointDir(manifest)).toMatch(/fixtures\/checkpoints\/tiny-text$/);
    const c = manifest.cases.find((k) => k.tensors.logits !== undefined)!;
    const golden = await readGolden(manifest, c.tensors.logits!);
    expect(golden.shape.slice(0, 2)).toEqual([c.input_ids.length, c.input_ids[0]!.length]);
    expect(golden.data.length).toBe(golden.shape.reduce((a, b) => a * b, 1));
  });

  test('differences: masked rows are skipped, unequal lengths never pass', () => {
    const a = [1, 2, 3, 4];
    const b = [1, 2, 3, 9];
    expect(maxAbsDiffMasked(a, b, [[1, 0]], 2)).toBe(0);
    expect(maxAbsDiffMasked(a, b, [[1, 1]], 2)).toBe(5);
    expect(maxAbsDiff(a, b)).toBe(5);
    expect(maxAbsDiff(a, [1, 2, 3])).toBe(Number.POSITIVE_INFINITY);
  });
});
