import type {
  SequenceBatch,
  SequenceBatchModel,
  SequencePrefill,
  SequencePrefillResult,
  SequenceState,
} from '../sequence-model.js';
import type { NextLogits } from './fake-model.js';

/** A sequence of the fake: the tokens it has "run" (its KV cache). */
export class FakeSequence implements SequenceState {
  constructor(
    readonly tokens: number[],
    /** Positions a cut may go back from the end (a sliding ring's slack); Infinity: any. */
    private readonly slack = Number.POSITIVE_INFINITY,
  ) {}

  get length(): number {
    return this.tokens.length;
  }

  get bytes(): number {
    return this.tokens.length * 100;
  }

  reusableLength(length: number): number {
    const n = Math.min(length, this.tokens.length);
    return this.tokens.length - n <= this.slack ? n : 0;
  }

  fork(length: number): FakeSequence {
    return new FakeSequence(this.tokens.slice(0, length), this.slack);
  }
}

export interface FakeSequenceModelOptions {
  vocabSize: number;
  maxContextLength?: number;
  next: NextLogits;
  slack?: number;
  /** Called before each batch decode with the rows' token ids (e.g. to fail or to wait). */
  beforeDecode?: (tokenIds: readonly number[]) => Promise<void> | void;
}

/**
 * A deterministic sequence model for the batcher's tests: logits are `next(sequence)`, whatever the
 * batch or chunking. Records prefill chunks and batch sizes.
 */
export class FakeSequenceModel implements SequenceBatchModel {
  readonly vocabSize: number;
  readonly maxContextLength: number;
  readonly prefills: { from: number; to: number }[] = [];
  readonly batchSizes: number[] = [];

  constructor(private readonly options: FakeSequenceModelOptions) {
    this.vocabSize = options.vocabSize;
    this.maxContextLength = options.maxContextLength ?? 1024;
  }

  promptKeys(inputIds: readonly number[]): readonly number[] {
    return inputIds;
  }

  alignPrefix(_ids: readonly number[], _extra: undefined, length: number): number {
    return length;
  }

  newSequence(): FakeSequence {
    return new FakeSequence([], this.options.slack);
  }

  private logits(tokens: readonly number[]): Float32Array {
    return Float32Array.from(this.options.next(tokens, 0));
  }

  async prefill(state: SequenceState, inputs: SequencePrefill<undefined>): Promise<SequencePrefillResult> {
    const sequence = state as FakeSequence;
    const from = sequence.length;
    const end = Math.min(inputs.inputIds.length, from + inputs.maxTokens);
    this.prefills.push({ from, to: end });
    sequence.tokens.push(...inputs.inputIds.slice(from, end));
    return end < inputs.inputIds.length ? { end } : { end, logits: this.logits(sequence.tokens) };
  }

  startBatch(maxRows: number): SequenceBatch {
    const rows: FakeSequence[] = [];
    const model = this;
    return {
      maxRows,
      get rows() {
        return rows.length;
      },
      add(state) {
        rows.push(state as FakeSequence);
        return rows.length - 1;
      },
      remove(row) {
        const state = rows[row]!;
        const last = rows.pop()!;
        if (row < rows.length) rows[row] = last; // the last row takes the index
        return state;
      },
      async decode(tokenIds) {
        await model.options.beforeDecode?.(tokenIds);
        model.batchSizes.push(rows.length);
        const out = new Float32Array(rows.length * model.vocabSize);
        rows.forEach((s, r) => {
          s.tokens.push(tokenIds[r]!);
          out.set(model.logits(s.tokens), r * model.vocabSize);
        });
        return out;
      },
      dispose() {},
    };
  }
}
