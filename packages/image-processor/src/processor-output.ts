import { ImageShapeMismatchError } from './errors/image-shape-mismatch-error.js';
import { type ChannelLut, type PixelValues, writeChannelsFirst } from './pixel-values.js';

/** What both processors return. */
export interface ImageProcessorOutput {
  /** float32 [N, 3, H, W]: each image, then its crops. */
  readonly pixelValues: PixelValues;
  /** Crops made for each input image (0 without pan & scan or when the image is not elongated enough). */
  readonly numCrops: number[];
}

/** One processed picture (an image or a crop) still as uint8 [H, W, 3]. */
export interface ResizedPiece {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/** Stacks uint8 pieces into float32 [N, 3, H, W] through the backend's lookup table. */
export function stackPieces(pieces: readonly ResizedPiece[], lut: ChannelLut): PixelValues {
  if (pieces.length === 0) return { data: new Float32Array(0), dims: [0, 3, 0, 0] };
  const { width, height } = pieces[0]!;
  pieces.forEach((piece, i) => {
    if (piece.width !== width || piece.height !== height) {
      throw new ImageShapeMismatchError(i, [height, width], [piece.height, piece.width]);
    }
  });
  const plane = 3 * width * height;
  const data = new Float32Array(pieces.length * plane); // [N, 3, H, W]
  pieces.forEach((piece, i) => {
    writeChannelsFirst(piece.data, width, height, lut, data, i * plane);
  });
  return { data, dims: [pieces.length, 3, height, width] };
}
