import type {
  CausalLanguageModel,
  DecodeInputs,
  GenerationSession,
  PrefillInputs,
  SessionOptions,
  VerifyInputs,
} from '../generation-model.js';

/** Logits of the next token given a row's sequence so far (real tokens only, padding removed). */
export type NextLogits = (sequence: readonly number[], row: number) => ArrayLike<number>;

export interface FakeModelOptions {
  vocabSize: number;
  maxContextLength?: number;
  next: NextLogits;
  /** Called at the start of decode step `step` (e.g. to abort, or to wait). */
  beforeDecode?: (step: number, signal: AbortSignal | undefined) => Promise<void> | void;
  /** Offer `verify` and `rollback` (prompt lookup). */
  speculative?: boolean;
}

/**
 * A deterministic model for tests: it keeps each row's real tokens (its "KV cache"), checks that
 * the positions and the attention mask it is given are consistent with them, and returns
 * `next(sequence)` for every row. Records every call.
 */
export class FakeModel implements CausalLanguageModel {
  readonly vocabSize: number;
  readonly maxContextLength: number;
  readonly sessions: {
    options: SessionOptions;
    prefill?: PrefillInputs<unknown>;
    decodes: DecodeInputs[];
    verifies: VerifyInputs[];
    rollbacks: number[];
    disposed: boolean;
  }[] = [];

  constructor(private readonly options: FakeModelOptions) {
    this.vocabSize = options.vocabSize;
    this.maxContextLength = options.maxContextLength ?? 1000;
  }

  async startSession(options: SessionOptions): Promise<GenerationSession> {
    const record = {
      options,
      decodes: [] as DecodeInputs[],
      verifies: [] as VerifyInputs[],
      rollbacks: [] as number[],
      disposed: false,
    } as FakeModel['sessions'][number];
    this.sessions.push(record);
    const { vocabSize, next, beforeDecode } = this.options;
    let rows: number[][] = [];
    let positions: number[] = [];
    const logitsFor = (): Float32Array => {
      const out = new Float32Array(rows.length * vocabSize); // [B, V]
      rows.forEach((row, r) => {
        out.set(Array.from(next(row, r)), r * vocabSize);
      });
      return out;
    };
    const session: GenerationSession = {
      async prefill(inputs) {
        record.prefill = inputs;
        rows = inputs.inputIds.map((ids, r) => ids.filter((_, t) => inputs.attentionMask[r]?.[t] === 1));
        positions = inputs.positionIds.map((p) => p[p.length - 1] as number);
        return logitsFor();
      },
      async decode(inputs) {
        record.decodes.push({ ...inputs, attentionMask: inputs.attentionMask.map((r) => [...r]) });
        await beforeDecode?.(inputs.step, options.signal);
        inputs.tokenIds.forEach((id, r) => {
          if (inputs.positionIds[r] !== (positions[r] as number) + 1)
            throw new Error(`row ${r}: position jumped`);
          positions[r] = inputs.positionIds[r] as number;
          rows[r]?.push(id);
        });
        return logitsFor();
      },
      dispose() {
        record.disposed = true;
      },
    };
    if (!this.options.speculative) return session;
    return {
      ...session,
      async verify(inputs) {
        record.verifies.push({ ...inputs, attentionMask: inputs.attentionMask.map((r) => [...r]) });
        await beforeDecode?.(inputs.step, options.signal);
        const row = rows[0] as number[];
        const out = new Float32Array(inputs.tokenIds.length * vocabSize); // [K + 1, V]
        inputs.tokenIds.forEach((id, i) => {
          if (inputs.positionIds[i] !== (positions[0] as number) + 1) throw new Error('position jumped');
          positions[0] = inputs.positionIds[i] as number;
          row.push(id);
          out.set(Array.from(next(row, 0)), i * vocabSize);
        });
        const real = (inputs.attentionMask[0] as number[]).filter((m) => m === 1).length;
        if (real !== row.length) throw new Error(`mask has ${real} ones for ${row.length} tokens`);
        return out;
      },
      rollback(count) {
        record.rollbacks.push(count);
        (rows[0] as number[]).splice(-count, count);
        positions[0] = (positions[0] as number) - count;
      },
    };
  }
}

/** A logits row with `peak` at `favourite` and 0 elsewhere. */
export function peaked(vocabSize: number, favourite: number, peak = 10): Float32Array {
  const row = new Float32Array(vocabSize);
  row[favourite] = peak;
  return row;
}
