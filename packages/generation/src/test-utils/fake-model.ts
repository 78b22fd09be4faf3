import type {
  CausalLanguageModel,
  DecodeInputs,
  GenerationSession,
  PrefillInputs,
  SessionOptions,
} from '../generation-model.js';

/** Logits of the next token given a row's sequence so far (real tokens only, padding removed). */
export type NextLogits = (sequence: readonly number[], row: number) => ArrayLike<number>;

export interface FakeModelOptions {
  vocabSize: number;
  maxContextLength?: number;
  next: NextLogits;
  /** Called at the start of decode step `step` (e.g. to abort, or to wait). */
  beforeDecode?: (step: number, signal: AbortSignal | undefined) => Promise<void> | void;
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
    return {
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
  }
}

/** A logits row with `peak` at `favourite` and 0 elsewhere. */
export function peaked(vocabSize: number, favourite: number, peak = 10): Float32Array {
  const row = new Float32Array(vocabSize);
  row[favourite] = peak;
  return row;
}
