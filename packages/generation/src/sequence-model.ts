/**
 * The contract between `ContinuousBatcher` (this package) and a model that serves many sequences at
 * once: each sequence has its own KV state (a `SequenceState`, owned by the model), prefilled on its
 * own in chunks, then decoded as one row of a running batch (`SequenceBatch`) whose rows join and
 * leave between steps. States outlive a generation, so a later prompt that starts with the same
 * tokens reuses them (`PrefixCache`).
 *
 * ```text
 * state = model.newSequence()   or  cached.fork(reused)          // positions [0, reused)
 * loop: { end, logits } = await model.prefill(state, { inputIds, extra, maxTokens })  // until end = T
 * row = batch.add(state)
 * loop: logits = await batch.decode(tokenIds)                    // [rows, V], one token per row
 * state = batch.remove(row)                                      // the last row takes index `row`
 * ```
 */

/** One sequence's KV cache: positions 0 .. length - 1, no padding. */
export interface SequenceState {
  /** Positions held. */
  readonly length: number;
  /** Memory held by its keys and values. */
  readonly bytes: number;
  /**
   * The longest length <= `length` this state can be cut to and still give exactly what a fresh run
   * of those positions gives (a sliding-window ring may no longer hold what a cut needs); 0 if none.
   */
  reusableLength(length: number): number;
  /** A new state holding this one's positions [0, length) (a copy: this one stays as it is). */
  fork(length: number): SequenceState;
}

export interface SequencePrefill<TExtra> {
  /** [T] the whole prompt; positions [state.length, ...) are run. */
  inputIds: readonly number[];
  /** Model-specific inputs of the whole prompt (images); the model runs the parts past state.length. */
  extra: TExtra;
  /**
   * Run about this many prompt tokens (a chunk), at least one; the model may run more to keep an
   * image's tokens together (they attend to each other both ways).
   */
  maxTokens: number;
  signal?: AbortSignal;
}

export interface SequencePrefillResult {
  /** Positions the state holds now; the prompt is done when this is inputIds.length. */
  end: number;
  /** [V] logits of the prompt's last token, when `end` reached the end of the prompt. */
  logits?: Float32Array;
}

/** The running batch: rows 0 .. rows - 1, one sequence each. */
export interface SequenceBatch {
  readonly rows: number;
  readonly maxRows: number;
  /** Adds a prefilled state as the new last row and returns its index. */
  add(state: SequenceState): number;
  /** Takes row `row` out (its state, to keep or drop); the last row moves into index `row`. */
  remove(row: number): SequenceState;
  /**
   * Runs one token per row (`tokenIds[r]` at the row's next position) and returns the logits,
   * [rows, V] row-major; valid until the next call.
   */
  decode(tokenIds: readonly number[], signal?: AbortSignal): Promise<Float32Array>;
  dispose(): void | Promise<void>;
}

/** A model that `ContinuousBatcher` can drive. `TExtra`: its prompt inputs beyond ids (images). */
export interface SequenceBatchModel<TExtra = undefined> {
  /** Width of a logits row (V). */
  readonly vocabSize: number;
  /** Longest sequence (prompt + new tokens). */
  readonly maxContextLength: number;
  /**
   * Per prompt token, the key prefix matching compares: the token id for text; for an image's tokens
   * numbers derived from the image's content, so a different image never matches. Keys are equal
   * only where the KV cache of the two prompts is equal.
   */
  promptKeys(inputIds: readonly number[], extra: TExtra): readonly number[];
  /**
   * The longest length <= `length` that cuts no bidirectional group (an image) in two: a reused
   * prefix must end there.
   */
  alignPrefix(inputIds: readonly number[], extra: TExtra, length: number): number;
  newSequence(): SequenceState;
  /** Runs the next chunk of a prompt on `state` (which grows). */
  prefill(state: SequenceState, inputs: SequencePrefill<TExtra>): Promise<SequencePrefillResult>;
  startBatch(maxRows: number): SequenceBatch;
}
