import { checkConstraints, constrainedPick } from './constrained-pick.js';
import type { DecodeFunction } from './decode-function.js';
import { InvalidGenerationOptionError } from './errors/invalid-generation-option-error.js';
import { InvalidPromptError } from './errors/invalid-prompt-error.js';
import { NonFiniteLogitsError } from './errors/non-finite-logits-error.js';
import type { FinishReason, GenerateResult } from './generate.js';
import {
  type GenerationConfigLike,
  type GenerationSettings,
  type ResolvedSettings,
  resolveSettings,
} from './generation-options.js';
import type { LogitsConstraint } from './logits-constraint.js';
import { processLogits } from './processors/process-logits.js';
import { Xoshiro128StarStar } from './random.js';
import { checkContext, checkStopStrings, seedOf } from './request-checks.js';
import { argmax, sampleToken } from './select-token.js';
import type { SequenceState } from './sequence-model.js';
import { StopStringMatcher } from './stop-strings.js';
import type { TokenStreamer } from './token-streamer.js';

/** One request to `ContinuousBatcher.submit`: a prompt and its own settings, as `generate()`'s for one row. */
export interface SequenceRequest<TExtra = undefined> extends GenerationSettings {
  /** [T] prompt token ids (no padding). */
  inputIds: readonly number[];
  /** Model-specific prompt inputs (the multimodal model: images). */
  extra?: TExtra;
  /** Seed of this request's sampling RNG; same seed, same tokens, whatever else runs beside it. */
  seed?: number;
  stopStrings?: readonly string[];
  /** Token ids to text, for stop strings. */
  decode?: DecodeFunction;
  /** Receives this request's tokens (`tokens` has one entry). */
  streamer?: TokenStreamer;
  /** Stops this request at the next step boundary (finishReason 'abort'); the others go on. */
  signal?: AbortSignal;
  /** Constrained decoding (a JSON schema, a regex): masks the tokens that cannot come next. */
  constraint?: LogitsConstraint | null;
}

/** `generate()`'s result for one row, with how many prompt tokens came from the prefix cache. */
export interface SequenceResult extends GenerateResult {
  usage: GenerateResult['usage'] & { cachedTokens: number };
}

/**
 * One request's state in the batcher: its settings, RNG, the ids seen (repetition penalty), the new
 * tokens and why it stopped. Chooses tokens exactly as `generate()` does for a row: the same
 * processors in the same order, one draw per token from its own seeded stream.
 */
export class SequenceJob<TExtra> {
  readonly settings: ResolvedSettings;
  readonly seed: number;
  readonly keys: readonly number[];
  readonly newTokens: number[] = [];
  finishReason: FinishReason | null = null;
  stopString: string | null = null;
  state: SequenceState | undefined;
  cachedTokens = 0;
  private readonly rng: Xoshiro128StarStar;
  private readonly seen: Set<number>;
  private readonly matcher: StopStringMatcher | undefined;

  constructor(
    readonly request: SequenceRequest<TExtra>,
    generationConfig: GenerationConfigLike | undefined,
    vocabSize: number,
    maxContextLength: number,
    keysOf: (ids: readonly number[], extra: TExtra) => readonly number[],
    readonly resolve: (result: SequenceResult) => void,
    readonly reject: (error: unknown) => void,
  ) {
    const ids = request.inputIds;
    if (!Array.isArray(ids) || ids.length === 0) {
      throw new InvalidPromptError({ field: 'inputIds', reason: 'the prompt needs at least one token' });
    }
    ids.forEach((id, t) => {
      if (!Number.isInteger(id) || id < 0) {
        throw new InvalidPromptError({
          field: 'inputIds',
          position: t,
          reason: `token id ${id} is not a valid id`,
        });
      }
    });
    this.settings = resolveSettings(request, generationConfig);
    for (const id of [...this.settings.eosTokenIds]) {
      if (id >= vocabSize) {
        throw new InvalidGenerationOptionError({
          option: 'eosTokenId',
          value: id,
          rule: `must be < vocabSize ${vocabSize}`,
        });
      }
    }
    checkConstraints(
      request.constraint == null ? undefined : [request.constraint],
      1,
      this.settings.eosTokenIds,
    );
    const stopStrings = request.stopStrings ?? [];
    checkStopStrings(stopStrings, request.decode);
    checkContext(ids.length, this.settings.maxNewTokens, maxContextLength);
    this.seed = seedOf(request.seed);
    this.rng = new Xoshiro128StarStar(this.seed);
    // ids past the vocabulary (an image placeholder) count as 0, as the multimodal generate() feeds them
    this.seen = new Set(ids.map((id) => (id < vocabSize ? id : 0)));
    this.matcher =
      request.decode === undefined || stopStrings.length === 0
        ? undefined
        : new StopStringMatcher(stopStrings, request.decode);
    this.keys = keysOf(ids, request.extra as TExtra);
  }

  get promptLength(): number {
    return this.request.inputIds.length;
  }

  get aborted(): boolean {
    return this.request.signal?.aborted === true;
  }

  /** The last token chosen: what the next decode step feeds. */
  get lastToken(): number {
    return this.newTokens[this.newTokens.length - 1]!;
  }

  /** Keys of every position the state holds: the prompt's, then the generated ids. */
  stateKeys(): number[] {
    return [...this.keys, ...this.newTokens];
  }

  /** Checks, processes (in place) and picks the next token from `scores` [V], then records it. */
  choose(scores: Float32Array): number {
    const step = this.newTokens.length + 1;
    for (let i = 0; i < scores.length; i++) {
      const value = scores[i]!;
      if (!Number.isFinite(value))
        throw new NonFiniteLogitsError({ step: step - 1, row: 0, tokenId: i, value });
    }
    const token = constrainedPick(this.request.constraint, scores, step, this.settings, () => {
      processLogits(scores, this.settings, this.seen, step - 1);
      return this.settings.doSample ? sampleToken(scores, this.rng) : argmax(scores);
    });
    this.newTokens.push(token);
    this.seen.add(token);
    if (this.settings.eosTokenIds.includes(token)) this.finishReason = 'stop';
    else {
      const stop = this.matcher?.match(this.newTokens);
      if (stop !== undefined) {
        this.finishReason = 'stop';
        this.stopString = stop;
      } else if (step >= this.settings.maxNewTokens) this.finishReason = 'length';
    }
    return token;
  }

  result(): SequenceResult {
    const promptTokens = this.promptLength;
    const completionTokens = this.newTokens.length;
    return {
      sequences: [[...this.request.inputIds, ...this.newTokens]],
      newTokens: [[...this.newTokens]],
      finishReasons: [this.finishReason ?? 'abort'],
      stopStrings: [this.stopString],
      usage: {
        promptTokens,
        completionTokens,
        totalTokens: promptTokens + completionTokens,
        cachedTokens: this.cachedTokens,
      },
      seed: this.seed,
    };
  }
}
