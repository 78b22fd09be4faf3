import { Gemma3Error } from '@gemma3/errors';

/** With `doResize: false`, images of different sizes cannot be stacked into one [N, 3, H, W] tensor. */
export class ImageShapeMismatchError extends Gemma3Error {
  constructor(
    readonly index: number,
    readonly expected: readonly [number, number],
    readonly actual: readonly [number, number],
  ) {
    super({
      code: 'image/shape-mismatch',
      message: `image ${index} is ${actual[0]}x${actual[1]} (HxW) but earlier images are ${expected[0]}x${expected[1]}; enable resizing or pass images of one size`,
    });
  }
}
