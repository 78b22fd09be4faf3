import { WeightsError } from './weights-error.js';

/** A checkpoint whose tensor names match none of the known Gemma 3 layouts. */
export class Gemma3LayoutError extends WeightsError {
  constructor(file: string, reason: string) {
    super({ code: 'weights/gemma3-layout', file, message: reason });
  }
}
