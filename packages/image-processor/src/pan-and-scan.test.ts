import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { panAndScanCrops } from './pan-and-scan.js';

const reference = { minCropSize: 256, maxNumCrops: 4, minRatioToActivate: 1.2 };

// Expected crops worked out by hand from the reference formula (see pan-and-scan.ts).
describe('panAndScanCrops', () => {
  test('landscape 1000x300: 3 crops, the last cut at the border', () => {
    expect(panAndScanCrops(1000, 300, reference)).toEqual([
      { left: 0, top: 0, width: 334, height: 300 },
      { left: 334, top: 0, width: 334, height: 300 },
      { left: 668, top: 0, width: 332, height: 300 },
    ]);
  });

  test('portrait 300x2000: ratio 6.7 rounds to 7, capped at 4 crops of 500 rows', () => {
    const crops = panAndScanCrops(300, 2000, reference);
    expect(crops.map((c) => [c.top, c.height, c.width])).toEqual([
      [0, 500, 300],
      [500, 500, 300],
      [1000, 500, 300],
      [1500, 500, 300],
    ]);
  });

  test('not elongated enough (ratio < 1.2) or square: no crops', () => {
    expect(panAndScanCrops(900, 800, reference)).toEqual([]);
    expect(panAndScanCrops(256, 256, reference)).toEqual([]);
  });

  test('crops that would be under min_crop_size: none', () => {
    // 500x400: ratio 1.25 -> 1 crop, raised to 2, each 250 wide < 256.
    expect(panAndScanCrops(500, 400, reference)).toEqual([]);
    // 1200x200: 4 crops of 300x200, height 200 < 256.
    expect(panAndScanCrops(1200, 200, reference)).toEqual([]);
  });

  test('600x400: 2 crops of 300x400', () => {
    expect(panAndScanCrops(600, 400, reference).map((c) => [c.left, c.width, c.height])).toEqual([
      [0, 300, 400],
      [300, 300, 400],
    ]);
  });

  test('max_num_crops override', () => {
    expect(panAndScanCrops(1000, 300, { ...reference, maxNumCrops: 2 }).map((c) => c.width)).toEqual([
      500, 500,
    ]);
  });

  test('property: crops tile the image exactly, 2..max of them, in a single row or column', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 1, max: 5000 }), (width, height) => {
        const crops = panAndScanCrops(width, height, reference);
        if (crops.length === 0) return;
        expect(crops.length).toBeGreaterThanOrEqual(2);
        expect(crops.length).toBeLessThanOrEqual(4);
        const area = crops.reduce((sum, c) => sum + c.width * c.height, 0);
        expect(area).toBe(width * height);
        const row = crops.every((c) => c.top === 0 && c.height === height);
        const column = crops.every((c) => c.left === 0 && c.width === width);
        expect(row || column).toBe(true);
        expect(Math.min(crops[0]!.width, crops[0]!.height)).toBeGreaterThanOrEqual(256);
      }),
      { numRuns: 500 },
    );
  });
});
