/** A rectangle in pixels of the (EXIF-oriented) source image. */
export interface CropBox {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
}

export interface PanAndScanSettings {
  /** Smallest crop side; 256 in the reference processor. */
  readonly minCropSize: number;
  /** Most crops per image; 4 in the reference processor. */
  readonly maxNumCrops: number;
  /** Aspect ratio (long side / short side) from which crops are made; 1.2 in the reference processor. */
  readonly minRatioToActivate: number;
}

/**
 * The crops the reference `Gemma3ImageProcessor.pan_and_scan` makes (empty when the image is not
 * elongated enough or a crop would be smaller than `minCropSize`): a row of crops for landscape
 * images, a column for portrait ones, each `ceil(side / n)` long. Like numpy/torch slicing, the last
 * crop is cut at the image border, so it can be narrower than the others.
 */
export function panAndScanCrops(width: number, height: number, settings: PanAndScanSettings): CropBox[] {
  const { minCropSize, maxNumCrops, minRatioToActivate } = settings;
  let cropsW = 1;
  let cropsH = 1;
  if (width >= height) {
    if (width / height < minRatioToActivate) return [];
    // Half-up rounding of the aspect ratio, at most floor(width / minCropSize), then clamped to [2, max].
    cropsW = Math.min(Math.floor(width / minCropSize), Math.floor(width / height + 0.5));
    cropsW = Math.min(maxNumCrops, Math.max(2, cropsW));
  } else {
    if (height / width < minRatioToActivate) return [];
    cropsH = Math.min(Math.floor(height / minCropSize), Math.floor(height / width + 0.5));
    cropsH = Math.min(maxNumCrops, Math.max(2, cropsH));
  }
  const cropW = Math.ceil(width / cropsW);
  const cropH = Math.ceil(height / cropsH);
  if (Math.min(cropW, cropH) < minCropSize) return [];
  const crops: CropBox[] = [];
  for (let i = 0; i < cropsH; i++) {
    for (let j = 0; j < cropsW; j++) {
      const top = cropH * i;
      const left = cropW * j;
      // With tiny custom minCropSize a last crop can start past the border (the reference then fails on
      // an empty slice); such empty crops are left out.
      if (left < width && top < height) {
        crops.push({
          left,
          top,
          width: Math.min(cropW, width - left),
          height: Math.min(cropH, height - top),
        });
      }
    }
  }
  return crops;
}
