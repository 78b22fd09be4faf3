import { checkConstraints, constrainedPick } from './constrained-pick.js';
import type { DecodeFunction } from './decode-function.js';
import { InvalidGenerationOptionError } from './errors/invalid-generation-option-error.js';
import { ModelOutputError } from './errors/model-output-error.js';
import { NonFiniteLogitsError } from './errors/non-finite-logits-error.js';
import type { CausalLanguageModel, GenerationSession } from './generation-model.js';
import { type GenerationConfigLike, type GenerationSettings, resolveSettings } from './generation-options.js';
import type { LogitsConstraint } from './logits-constraint.js';
import { processLogits } from './processors/process-logits.js';
import { preparePromptBatch } from './prompt-batch.js';
import {
  findDraft,
  type PromptLookupOptions,
  type ResolvedPromptLookup,
  resolvePromptLookup,
} from './prompt-lookup.js';
import { Xoshiro128StarStar } from './random.js';
import { checkContext, checkStopStrings, seedOf } from './request-checks.js';
import { argmax, sampleToken } from './select-token.js';
import { StopStringMatcher } from './stop-strings.js';
import type { TokenStreamer } from './token-streamer.js';

export interface GenerateOptions<TExtra = undefined> extends GenerationSettings {
  /** [B][T] prompt token ids. Rows may differ in length when no attentionMask is given (left-padded here). */
  inputIds: readonly (readonly number[])[];
  /** [B][T] 1 = real token, 0 = left padding. Default: all ones (after left-padding ragged rows). */
  attentionMask?: readonly (readonly number[])[];
  /** Model-specific prefill inputs (images), passed to the model's prefill untouched. */
  extraInputs?: TExtra;
  /** Defaults (generation_config.json, snake_case or camelCase); explicit options win. */
  generationConfig?: GenerationConfigLike;
  /** Seed of the sampling RNG (xoshiro128**); same seed, same tokens. Default: a random seed (returned). */
  seed?: number;
  /** A row stops when its generated text contains one of these (needs `decode`). */
  stopStrings?: readonly string[];
  /** Token ids to text, for stop strings. */
  decode?: DecodeFunction;
  /** Receives the new tokens step by step (see TextStreamer for text). */
  streamer?: TokenStreamer;
  /** Cancels: generation stops before the next step and returns what it has, finishReason 'abort'. */
  signal?: AbortSignal;
  /**
   * Prompt lookup decoding (one row only): draft tokens copied from the sequence, verified in one
   * forward pass; same tokens as without it. Used when the model's session has `verify`/`rollback`,
   * plain decoding otherwise. Default: on when the config sets prompt_lookup_num_tokens, else off.
   */
  promptLookup?: boolean | PromptLookupOptions;
  /**
   * [B] constrained decoding: each row's constraint (or null) masks the tokens that cannot come next,
   * before the other processors. See `compileJsonSchemaGrammar` and friends.
   */
  constraints?: readonly (LogitsConstraint | null | undefined)[];
}

/** 'stop': eos or a stop string; 'length': maxNewTokens reached; 'abort': the signal fired. */
export type FinishReason = 'stop' | 'length' | 'abort';

export interface GenerateResult {
  /** [B][T + N] prompt (as padded) + new tokens; rows that finished early continue with padTokenId. */
  sequences: number[][];
  /** [B] each row's new tokens up to and including its stopping token, without padding. */
  newTokens: number[][];
  finishReasons: FinishReason[];
  /** [B] the stop string that ended the row, if one did. */
  stopStrings: (string | null)[];
  usage: {
    /** Real prompt tokens over all rows (padding not counted). */
    promptTokens: number;
    /** New tokens over all rows (padding not counted). */
    completionTokens: number;
    totalTokens: number;
  };
  /** The seed used for sampling (the given one or the random one), so a run can be repeated. */
  seed: number;
}

/**
 * Generates new tokens for a batch of prompts with a causal LM: the loop of transformers'
 * `generate()` for greedy search and multinomial sampling. See the package README for the semantics.
 *
 * Throws InvalidPromptError, InvalidGenerationOptionError, ContextLengthExceededError before running
 * the model; NonFiniteLogitsError / ModelOutputError when the model misbehaves; rethrows model errors.
 * An abort never throws: it returns the partial result.
 */
export async function generate<TExtra = undefined>(
  model: CausalLanguageModel<TExtra>,
  options: GenerateOptions<TExtra>,
): Promise<GenerateResult> {
  const { generationConfig, stopStrings = [], decode, streamer, signal } = options;
  const padForPrompt = options.padTokenId ?? firstId(generationConfig);
  const prompt = preparePromptBatch(options.inputIds, options.attentionMask, model.vocabSize, padForPrompt);
  const batchSize = prompt.inputIds.length;
  const promptLength = prompt.inputIds[0]?.length ?? 0;
  const settings = resolveSettings(options, generationConfig);
  for (const id of [
    ...settings.eosTokenIds,
    ...(settings.padTokenId === undefined ? [] : [settings.padTokenId]),
  ]) {
    if (id >= model.vocabSize) {
      throw new InvalidGenerationOptionError({
        option: 'eosTokenId/padTokenId',
        value: id,
        rule: `must be < vocabSize ${model.vocabSize}`,
      });
    }
  }
  checkStopStrings(stopStrings, decode);
  const canStopEarly = settings.eosTokenIds.length > 0 || stopStrings.length > 0;
  if (batchSize > 1 && canStopEarly && settings.padTokenId === undefined) {
    throw new InvalidGenerationOptionError({
      option: 'padTokenId',
      value: undefined,
      rule: 'is required for a batch whose rows can stop early (no pad_token_id or eos_token_id set)',
    });
  }
  checkContext(promptLength, settings.maxNewTokens, model.maxContextLength);
  const seed = seedOf(options.seed);

  checkConstraints(options.constraints, batchSize, settings.eosTokenIds);
  const lookup = resolvePromptLookup(options.promptLookup, generationConfig);
  if (lookup !== undefined && batchSize > 1) {
    throw new InvalidGenerationOptionError({
      option: 'promptLookup',
      value: options.promptLookup ?? 'generation config prompt_lookup_num_tokens',
      rule: `needs a batch of one row (as transformers' assisted generation), got ${batchSize} rows`,
    });
  }
  const rng = new Xoshiro128StarStar(seed);
  const vocabSize = model.vocabSize;
  const pad = settings.padTokenId ?? 0;
  const matcher = decode === undefined ? undefined : new StopStringMatcher(stopStrings, decode);
  const sequences = prompt.inputIds.map((row) => [...row]);
  const attentionMask = prompt.attentionMask.map((row) => [...row]);
  const nextPositions = prompt.positionIds.map((row) =>
    row.length === 0 ? 0 : (row[row.length - 1] as number) + 1,
  );
  const seen = sequences.map((row) => new Set(row));
  const newTokens: number[][] = sequences.map(() => []);
  const finishReasons: (FinishReason | null)[] = sequences.map(() => null);
  const stoppedBy: (string | null)[] = sequences.map(() => null);
  const result = (): GenerateResult => {
    const completionTokens = newTokens.reduce((sum, row) => sum + row.length, 0);
    const promptTokens = prompt.realLengths.reduce((a, b) => a + b, 0);
    return {
      sequences,
      newTokens,
      finishReasons: finishReasons.map((reason) => reason ?? 'abort'),
      stopStrings: stoppedBy,
      usage: { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens },
      seed,
    };
  };
  if (signal?.aborted) {
    await streamer?.onEnd?.();
    return result();
  }

  const session: GenerationSession<TExtra> = await model.startSession({
    batchSize,
    maxLength: promptLength + settings.maxNewTokens,
    cache: settings.cache,
    ...(signal === undefined ? {} : { signal }),
    ...(lookup === undefined ? {} : { draftTokens: lookup.draftTokens }),
  });
  /** Appends `chosen` (null: the row already finished, gets pad) to a row; updates its stopping state. */
  const push = (row: number, chosen: number | null, step: number): void => {
    const token = chosen ?? pad;
    (sequences[row] as number[]).push(token);
    (attentionMask[row] as number[]).push(1);
    (seen[row] as Set<number>).add(token);
    if (chosen === null) return;
    const rowTokens = newTokens[row] as number[];
    rowTokens.push(token);
    const isEos = settings.eosTokenIds.includes(token);
    const stopString = isEos ? undefined : matcher?.match(rowTokens);
    if (isEos) finishReasons[row] = 'stop';
    else if (stopString !== undefined) {
      finishReasons[row] = 'stop';
      stoppedBy[row] = stopString;
    } else if (step >= settings.maxNewTokens) finishReasons[row] = 'length';
  };
  /** Processes one row's scores [V] in place and picks the token of step `step`. */
  const pick = (row: number, scores: Float32Array, step: number): number =>
    constrainedPick(options.constraints?.[row], scores, step, settings, () => {
      processLogits(scores, settings, seen[row] as Set<number>, step - 1);
      return settings.doSample ? sampleToken(scores, rng) : argmax(scores);
    });
  try {
    let logits = await runStep(signal, () =>
      session.prefill({ ...prompt, extra: options.extraInputs as TExtra }),
    );
    if (lookup !== undefined && logits !== undefined && session.verify && session.rollback) {
      const padding = promptLength - (prompt.realLengths[0] as number);
      await lookupLoop({
        session,
        first: logits,
        lookup,
        vocabSize,
        maxNewTokens: settings.maxNewTokens,
        firstPosition: nextPositions[0] as number,
        signal,
        finished: () => finishReasons[0] !== null,
        realSequence: () => (sequences[0] as number[]).slice(padding),
        attentionMask: attentionMask[0] as number[],
        check: (scores, step) => checkLogits(scores, step, 1, vocabSize, finishReasons),
        choose: (scores, step) => {
          const token = pick(0, scores, step);
          push(0, token, step);
          return token;
        },
        streamer,
      });
      logits = undefined;
    }
    for (let step = 1; logits !== undefined; step++) {
      checkLogits(logits, step - 1, batchSize, vocabSize, finishReasons);
      const chosen: (number | null)[] = [];
      for (let row = 0; row < batchSize; row++) {
        if (finishReasons[row] !== null) {
          chosen.push(null);
          continue;
        }
        // The session's buffer: processed in place (see GenerationSession.decode).
        chosen.push(pick(row, logits.subarray(row * vocabSize, (row + 1) * vocabSize), step));
      }
      for (let row = 0; row < batchSize; row++) push(row, chosen[row] ?? null, step);
      await streamer?.onTokens({ step, tokens: chosen });
      if (finishReasons.every((reason) => reason !== null)) break;
      const tokenIds = sequences.map((row) => row[row.length - 1] as number);
      const positionIds = nextPositions.map((p) => p + step - 1);
      logits = await runStep(signal, () => session.decode({ tokenIds, attentionMask, positionIds, step }));
    }
    await streamer?.onEnd?.();
    return result();
  } finally {
    await session.dispose();
  }
}

interface LookupLoop<TExtra> {
  session: GenerationSession<TExtra>;
  /** The prefill logits [1, V]. */
  first: Float32Array;
  lookup: ResolvedPromptLookup;
  vocabSize: number;
  maxNewTokens: number;
  /** Position of the first new token. */
  firstPosition: number;
  signal: AbortSignal | undefined;
  finished: () => boolean;
  /** Prompt (real tokens) + the new tokens so far. */
  realSequence: () => number[];
  /** The row's mask, grown by `choose`. */
  attentionMask: readonly number[];
  /** Throws on malformed or non-finite logits [1, V] of step `step` (0 = prefill). */
  check: (scores: Float32Array, step: number) => void;
  /** Processes scores [V], picks, appends and records the token of step `step`. */
  choose: (scores: Float32Array, step: number) => number;
  streamer: TokenStreamer | undefined;
}

/**
 * Prompt lookup decoding for one row. Each step feeds the pending token plus up to K drafts found in
 * the sequence (`findDraft`) in one `verify`, then walks the returned logits in order exactly as
 * plain decoding would: the token chosen from row i (after the processors, argmax or one draw) is
 * emitted; when it equals draft i the walk goes on to row i + 1, else it stops there. So every
 * emitted token is the one plain decoding would choose from the same context (one draw per emitted
 * token when sampling), each step emits between 1 and K + 1 tokens, and the rejected drafts are
 * rolled back from the cache. No draft: a plain `decode`.
 */
async function lookupLoop<TExtra>(o: LookupLoop<TExtra>): Promise<void> {
  const { session, vocabSize, signal, streamer } = o;
  o.check(o.first, 0);
  let step = 1;
  let pending = o.choose(o.first, step);
  await streamer?.onTokens({ step, tokens: [pending] });
  while (!o.finished()) {
    const position = o.firstPosition + step - 1; // of the pending token
    // Never more tokens than maxNewTokens: K drafts + 1 from the model fit in what is left.
    const drafts = findDraft(
      o.realSequence(),
      o.lookup,
      Math.min(o.lookup.draftTokens, o.maxNewTokens - step - 1),
    );
    if (drafts.length === 0) {
      const logits = await runStep(signal, () =>
        session.decode({
          tokenIds: [pending],
          attentionMask: [o.attentionMask],
          positionIds: [position],
          step,
        }),
      );
      if (logits === undefined) return;
      o.check(logits, step);
      step += 1;
      pending = o.choose(logits, step);
      await streamer?.onTokens({ step, tokens: [pending] });
      continue;
    }
    const k = drafts.length;
    const tokenIds = [pending, ...drafts];
    // verify is present: generate() enters this loop only then (a method call, so `this` is kept)
    const logits = await runStep(signal, () =>
      session.verify!({
        tokenIds,
        positionIds: tokenIds.map((_, i) => position + i),
        attentionMask: [[...o.attentionMask, ...drafts.map(() => 1)]],
        step,
      }),
    );
    if (logits === undefined) return;
    if (!(logits instanceof Float32Array) || logits.length !== (k + 1) * vocabSize) {
      throw new ModelOutputError({
        step,
        expected: (k + 1) * vocabSize,
        actual: (logits as { length?: number } | undefined)?.length ?? 0,
      });
    }
    let accepted = 0;
    for (let i = 0; i <= k; i++) {
      if (i > 0 && signal?.aborted) return; // as plain decoding: nothing after the abort is emitted
      const scores = logits.slice(i * vocabSize, (i + 1) * vocabSize);
      o.check(scores, step);
      step += 1;
      pending = o.choose(scores, step);
      await streamer?.onTokens({ step, tokens: [pending] });
      if (o.finished()) return;
      if (i === k || pending !== drafts[i]) break;
      accepted += 1;
    }
    if (accepted < k) await session.rollback?.(k - accepted);
  }
}

/** Runs a model step; undefined when the signal fired before or during it (its output is dropped). */
async function runStep(
  signal: AbortSignal | undefined,
  run: () => Promise<Float32Array>,
): Promise<Float32Array | undefined> {
  if (signal?.aborted) return undefined;
  try {
    const logits = await run();
    return signal?.aborted ? undefined : logits;
  } catch (error) {
    if (signal?.aborted) return undefined; // the model gave up because of the abort
    throw error;
  }
}

function checkLogits(
  logits: Float32Array,
  step: number,
  batchSize: number,
  vocabSize: number,
  finishReasons: readonly (FinishReason | null)[],
): void {
  if (!(logits instanceof Float32Array) || logits.length !== batchSize * vocabSize) {
    throw new ModelOutputError({
      step,
      expected: batchSize * vocabSize,
      actual: (logits as { length?: number })?.length ?? 0,
    });
  }
  for (let row = 0; row < batchSize; row++) {
    if (finishReasons[row] !== null) continue;
    const offset = row * vocabSize;
    for (let i = 0; i < vocabSize; i++) {
      const value = logits[offset + i] as number;
      if (!Number.isFinite(value)) throw new NonFiniteLogitsError({ step, row, tokenId: i, value });
    }
  }
}

function firstId(generationConfig: GenerationConfigLike | undefined): number | undefined {
  const config = generationConfig as Readonly<Record<string, unknown>> | undefined;
  const pad = config?.padTokenId ?? config?.pad_token_id;
  if (typeof pad === 'number') return pad;
  const eos = config?.eosTokenId ?? config?.eos_token_id;
  if (typeof eos === 'number') return eos;
  if (Array.isArray(eos) && typeof eos[0] === 'number') return eos[0];
  return undefined;
}
