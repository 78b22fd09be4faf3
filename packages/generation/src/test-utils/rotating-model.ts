import type { CausalLanguageModel, GenerationSession } from '../generation-model.js';

/**
 * A fast fake model for constrained decoding tests over a real vocabulary: its logits for a row are
 * a fixed random vector rotated by an offset hashed from the last token, the row and the step (two
 * copies, no per-step randomness), so each step prefers different tokens.
 */
export class RotatingModel implements CausalLanguageModel {
  readonly maxContextLength = 100_000;
  private readonly base: Float32Array;

  constructor(
    readonly vocabSize: number,
    seed: number,
  ) {
    this.base = new Float32Array(vocabSize * 2);
    let x = seed >>> 0 || 1;
    for (let i = 0; i < vocabSize; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      this.base[i] = ((x >>> 0) / 2 ** 32) * 20 - 10;
    }
    this.base.copyWithin(vocabSize, 0, vocabSize);
  }

  async startSession(options: { batchSize: number }): Promise<GenerationSession> {
    const v = this.vocabSize;
    const out = new Float32Array(options.batchSize * v); // [B, V]
    const fill = (last: readonly number[], step: number): Float32Array => {
      for (let row = 0; row < options.batchSize; row++) {
        const offset = (Math.imul((last[row] ?? 0) + 1, 2654435761) ^ Math.imul(step + 7 * row, 40503)) >>> 0;
        out.set(this.base.subarray(offset % v, (offset % v) + v), row * v);
      }
      return out;
    };
    return {
      prefill: async ({ inputIds }) =>
        fill(
          inputIds.map((row) => row[row.length - 1] as number),
          0,
        ),
      decode: async ({ tokenIds, step }) => fill(tokenIds, step),
      dispose: () => {},
    };
  }
}
