import { closeSync, openSync, readSync, writeSync } from 'node:fs';

/**
 * How a variant's next-token distributions agree with the fp32 reference's, over the positions added:
 * top-1 agreement, KL(fp32 || variant) in nats, mean |log-prob difference| over the whole vocabulary,
 * mean |logit difference| (only when the variant gives raw logits), and the reference's entropy.
 */
export interface AgreementStats {
  readonly positions: number;
  readonly top1Matches: number;
  readonly top1Agreement: number;
  readonly klMean: number;
  readonly klMax: number;
  /** Mean over positions of the mean over the vocabulary of |log p_fp32 - log p_variant|. */
  readonly meanAbsLogprobDiff: number;
  /** Mean over positions of the mean over the vocabulary of |logit_fp32 - logit_variant|; null without raw logits. */
  readonly meanAbsLogitDiff: number | null;
  /** Largest |logit_fp32 - logit_variant| seen; null without raw logits. */
  readonly maxAbsLogitDiff: number | null;
  /** Mean entropy of the fp32 distributions, nats (log V = 12.48 for a uniform 262144-token vocabulary). */
  readonly referenceEntropyMean: number;
}

/** log-softmax of `x` into `out` (float64 sums); returns the index of the largest entry. */
function logSoftmax(x: Float32Array, out: Float64Array): number {
  let max = Number.NEGATIVE_INFINITY;
  let argmax = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i] as number;
    if (v > max) {
      max = v;
      argmax = i;
    }
  }
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += Math.exp((x[i] as number) - max);
  const lse = max + Math.log(sum);
  for (let i = 0; i < x.length; i++) out[i] = (x[i] as number) - lse;
  return argmax;
}

export class AgreementAccumulator {
  private readonly refLogp: Float64Array;
  private readonly varLogp: Float64Array;
  private positions = 0;
  private top1 = 0;
  private klSum = 0;
  private klMax = 0;
  private logprobDiffSum = 0;
  private logitDiffSum = 0;
  private logitDiffMax = 0;
  private logitRows = 0;
  private entropySum = 0;

  constructor(readonly vocabSize: number) {
    this.refLogp = new Float64Array(vocabSize);
    this.varLogp = new Float64Array(vocabSize);
  }

  /**
   * One position: `reference` are fp32 logits [V]; `variant` are logits [V] (`kind: 'logits'`) or
   * probabilities [V] that may be off from summing to 1 by rounding (`kind: 'probabilities'`,
   * llama.cpp's softmax in float32: renormalized here; a probability of 0 counts as log(1e-45)).
   */
  add(reference: Float32Array, variant: Float32Array, kind: 'logits' | 'probabilities'): void {
    const V = this.vocabSize;
    if (reference.length !== V || variant.length !== V) {
      throw new RangeError(`expected ${V} values per position, got ${reference.length} / ${variant.length}`);
    }
    const refTop = logSoftmax(reference, this.refLogp);
    let varTop: number;
    if (kind === 'logits') {
      varTop = logSoftmax(variant, this.varLogp);
      let diff = 0;
      let max = this.logitDiffMax;
      for (let i = 0; i < V; i++) {
        const d = Math.abs((reference[i] as number) - (variant[i] as number));
        diff += d;
        if (d > max) max = d;
      }
      this.logitDiffSum += diff / V;
      this.logitDiffMax = max;
      this.logitRows++;
    } else {
      let sum = 0;
      let best = Number.NEGATIVE_INFINITY;
      varTop = 0;
      for (let i = 0; i < V; i++) {
        const p = variant[i] as number;
        sum += p;
        if (p > best) {
          best = p;
          varTop = i;
        }
      }
      const logSum = Math.log(sum);
      for (let i = 0; i < V; i++) this.varLogp[i] = Math.log(Math.max(variant[i] as number, 1e-45)) - logSum;
    }
    let kl = 0;
    let entropy = 0;
    let logprobDiff = 0;
    for (let i = 0; i < V; i++) {
      const lp = this.refLogp[i] as number;
      const lq = this.varLogp[i] as number;
      const p = Math.exp(lp);
      kl += p * (lp - lq);
      entropy -= p * lp;
      logprobDiff += Math.abs(lp - lq);
    }
    this.positions++;
    if (refTop === varTop) this.top1++;
    this.klSum += kl;
    if (kl > this.klMax) this.klMax = kl;
    this.logprobDiffSum += logprobDiff / V;
    this.entropySum += entropy;
  }

  stats(): AgreementStats {
    const n = Math.max(1, this.positions);
    return {
      positions: this.positions,
      top1Matches: this.top1,
      top1Agreement: this.top1 / n,
      klMean: this.klSum / n,
      klMax: this.klMax,
      meanAbsLogprobDiff: this.logprobDiffSum / n,
      meanAbsLogitDiff: this.logitRows === this.positions ? this.logitDiffSum / n : null,
      maxAbsLogitDiff: this.logitRows === this.positions ? this.logitDiffMax : null,
      referenceEntropyMean: this.entropySum / n,
    };
  }
}

/**
 * The fp32 logits of every position of every sequence, as one float32 file [S, T, V] (1 GiB for
 * 4 x 256 positions of a 262144-token vocabulary): written once by the reference run, read a row at a time.
 */
export class ReferenceLogits {
  private readonly fd: number;

  private constructor(
    readonly path: string,
    readonly sequenceLength: number,
    readonly vocabSize: number,
    mode: 'r' | 'w',
  ) {
    this.fd = openSync(path, mode);
  }

  static create(path: string, sequenceLength: number, vocabSize: number): ReferenceLogits {
    return new ReferenceLogits(path, sequenceLength, vocabSize, 'w');
  }

  static open(path: string, sequenceLength: number, vocabSize: number): ReferenceLogits {
    return new ReferenceLogits(path, sequenceLength, vocabSize, 'r');
  }

  private offset(sequence: number, position: number): number {
    return (sequence * this.sequenceLength + position) * this.vocabSize * 4;
  }

  /** Writes rows [positions, V] of `sequence` from `position` on. */
  write(sequence: number, position: number, rows: Float32Array): void {
    const bytes = new Uint8Array(rows.buffer, rows.byteOffset, rows.byteLength);
    writeSync(this.fd, bytes, 0, bytes.length, this.offset(sequence, position));
  }

  /** The fp32 logits [V] after token `position` of `sequence` (into `out` when given). */
  read(sequence: number, position: number, out = new Float32Array(this.vocabSize)): Float32Array {
    const bytes = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
    const read = readSync(this.fd, bytes, 0, bytes.length, this.offset(sequence, position));
    if (read !== bytes.length) {
      throw new RangeError(`${this.path}: short read at sequence ${sequence}, position ${position}`);
    }
    return out;
  }

  close(): void {
    closeSync(this.fd);
  }
}
