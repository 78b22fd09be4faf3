/**
 * The contract between the generation loop (`generate()` in this package) and a model that runs it.
 *
 * The loop owns everything about *what* to feed: sampling, stopping, the growing attention mask, the
 * position of every new token and the pad token fed to rows that already finished. The model owns
 * *how* to run it: its KV cache (dynamic or static), its graph, its extra prefill inputs (images).
 *
 * One generation = one {@link GenerationSession}:
 *
 * ```text
 * session = await model.startSession({ batchSize, maxLength, cache, signal })
 * logits  = await session.prefill({ inputIds, attentionMask, positionIds })   // [B, V]
 * loop:  logits = await session.decode({ tokenIds, attentionMask, positionIds, step }) // [B, V]
 * finally session.dispose()
 * ```
 *
 * Shapes use one notation: B = batch rows, T = prompt length (after left padding), V = vocabSize.
 */

/** Which KV cache the model should use; `static` is preallocated to `maxLength` (`cache_implementation="static"`). */
export type CacheKind = 'dynamic' | 'static';

export interface SessionOptions {
  /** Rows in the batch (B). */
  batchSize: number;
  /**
   * Longest sequence the session will see, in positions: prompt length T (padding included) plus
   * maxNewTokens. A static cache preallocates this many positions; `generate()` has already checked
   * `maxLength <= model.maxContextLength` before calling.
   */
  maxLength: number;
  cache: CacheKind;
  /** Aborted when the caller cancels. A model may stop a running step early by rejecting (any error). */
  signal?: AbortSignal;
  /**
   * Set when `generate()` will call `verify` (prompt lookup): the most draft tokens one `verify`
   * feeds after the pending token, i.e. the most positions one `rollback` drops. A cache with a
   * sliding-window ring keeps this many extra slots so a rollback never loses a key the window needs.
   */
  draftTokens?: number;
}

/**
 * The first step: the whole left-padded prompt. Built by `generate()` from the caller's ids.
 *
 * `TExtra` carries model-specific prefill inputs untouched from `generate(model, { extraInputs })`
 * (the multimodal model: pixel values and the image-aware mask inputs). Text models use `undefined`.
 */
export interface PrefillInputs<TExtra = undefined> {
  /** [B][T] token ids, left-padded with the pad token id. */
  inputIds: readonly (readonly number[])[];
  /** [B][T] 1 for a real token, 0 for padding (left padding only: zeros come first in a row). */
  attentionMask: readonly (readonly number[])[];
  /**
   * [B][T] 0-based positions: a row's first real token is position 0 (left padding: positions start
   * at the first real token). Padding positions are 1, as the reference fills them
   * (`cumsum(mask) - 1`, then `masked_fill(mask == 0, 1)`); their keys are masked out anyway.
   */
  positionIds: readonly (readonly number[])[];
  extra: TExtra;
}

/** One decode step: one new token per row, appended after everything the session has seen. */
export interface DecodeInputs {
  /** [B] the token chosen for each row at the previous step; `padTokenId` for rows already finished. */
  tokenIds: readonly number[];
  /**
   * [B][T + step] the full attention mask including this token (the prompt mask followed by a 1 for
   * every generated token, finished rows included, as the reference does). A model with a KV cache
   * usually only needs the prompt part to know which cached keys are padding. Owned by the loop and
   * appended to after the call: copy what you keep.
   */
  attentionMask: readonly (readonly number[])[];
  /** [B] position of this token in each row: one more than the row's previous position. */
  positionIds: readonly number[];
  /** 1 for the first decode step (the token sampled from the prefill logits), 2 for the next, ... */
  step: number;
}

/**
 * One speculative step (prompt lookup), batch size 1 only: the pending token (chosen at the previous
 * step, not yet run) followed by K >= 1 draft tokens, run in one forward pass.
 */
export interface VerifyInputs {
  /** [K + 1]: the pending token, then the drafts. */
  tokenIds: readonly number[];
  /** [K + 1]: consecutive positions, the first one more than the previous token's. */
  positionIds: readonly number[];
  /** [1][T + step + K]: the full mask including these K + 1 tokens (all ones for them). Copy what you keep. */
  attentionMask: readonly (readonly number[])[];
  /** As DecodeInputs.step for the pending token. */
  step: number;
}

export interface GenerationSession<TExtra = undefined> {
  /**
   * Runs the prompt and returns the logits of the last position of each row: a Float32Array of
   * length B * V, row-major ([B, V]). Called exactly once, before any `decode`.
   */
  prefill(inputs: PrefillInputs<TExtra>): Promise<Float32Array>;
  /**
   * Runs one new token per row and returns its logits, [B, V] row-major (length B * V). generate()
   * may change them in place (logits processors) and never keeps them past the next `decode`, so a
   * session may return the same buffer every step.
   */
  decode(inputs: DecodeInputs): Promise<Float32Array>;
  /**
   * Optional (prompt lookup): runs K + 1 tokens of one row at once, appends all of them to the cache,
   * and returns the logits of every one of them, [K + 1, V] row-major: row i predicts the token after
   * `tokenIds[i]`. Only called for a batch of one row, and only together with `rollback`.
   */
  verify?(inputs: VerifyInputs): Promise<Float32Array>;
  /**
   * Optional (prompt lookup): forgets the last `count` positions appended (rejected drafts), as if
   * they had never been run; `count` is at most the `draftTokens` of the session options.
   */
  rollback?(count: number): void | Promise<void>;
  /** Frees the KV cache and any native resources. Called once, also after errors and aborts. */
  dispose(): void | Promise<void>;
}

/**
 * A causal language model as `generate()` sees it. `TExtra` is the type of its extra prefill inputs
 * (`undefined` for text-only models).
 */
export interface CausalLanguageModel<TExtra = undefined> {
  /** Width of a logits row (V). For Gemma 3 this is the embedding rows (262208), not the tokenizer size. */
  readonly vocabSize: number;
  /** Longest sequence (prompt + new tokens) the model accepts; `generate()` refuses more. */
  readonly maxContextLength: number;
  startSession(options: SessionOptions): Promise<GenerationSession<TExtra>>;
}
