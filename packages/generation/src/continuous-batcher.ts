import { InvalidGenerationOptionError } from './errors/invalid-generation-option-error.js';
import { ModelOutputError } from './errors/model-output-error.js';
import type { GenerationConfigLike } from './generation-options.js';
import type { PrefixCache } from './prefix-cache.js';
import { SequenceJob, type SequenceRequest, type SequenceResult } from './sequence-job.js';
import type { SequenceBatch, SequenceBatchModel } from './sequence-model.js';

export interface ContinuousBatcherOptions {
  /** Sequences decoded together, one row each (vLLM's max_num_seqs, llama.cpp's -np). */
  maxRows: number;
  /**
   * Prompt tokens prefilled between two decode steps of the running rows (default 256): a newcomer's
   * prompt runs in chunks so the others keep streaming. The chunking depends only on the prompt
   * (and what the prefix cache gave), never on what else runs, so a request's tokens are the same
   * alone or in a batch.
   */
  prefillChunk?: number;
  /** Where finished sequences' KV states are kept for reuse; none: every prompt prefills from scratch. */
  prefixCache?: PrefixCache;
  /** Defaults of every request (generation_config.json); a request's own options win. */
  generationConfig?: GenerationConfigLike;
}

export interface BatcherStats {
  /** Rows decoding now. */
  running: number;
  /** Requests waiting for a row (the one prefilling included). */
  waiting: number;
  /** Decode steps run and the rows they ran (rows / steps = mean batch size). */
  decodeSteps: number;
  decodeRows: number;
  prefillTokens: number;
}

const DEFAULT_PREFILL_CHUNK = 256;

/**
 * Continuous batching (vLLM's scheduler, in small): requests join a running batch at step
 * boundaries and leave when they finish (eos, stop string, max tokens, abort), each with its own
 * sampling settings, seed, positions and stop rules. Each turn of the loop runs one prefill chunk of
 * the next newcomer (when a row is free), then one decode step of every running row. A newcomer
 * starts from the longest reusable prefix in the prefix cache; a finished sequence's state goes back
 * there. Every request's greedy tokens equal what it gives alone.
 */
export class ContinuousBatcher<TExtra = undefined> {
  private readonly waiting: SequenceJob<TExtra>[] = [];
  private prefilling: SequenceJob<TExtra> | undefined;
  /** Index = the row in `batch`. */
  private readonly running: SequenceJob<TExtra>[] = [];
  private batch: SequenceBatch | undefined;
  private loop: Promise<void> | undefined;
  private pumping = false;
  private closed = false;
  private readonly counters = { decodeSteps: 0, decodeRows: 0, prefillTokens: 0 };
  private readonly prefillChunk: number;

  constructor(
    private readonly model: SequenceBatchModel<TExtra>,
    private readonly options: ContinuousBatcherOptions,
  ) {
    if (!Number.isInteger(options.maxRows) || options.maxRows < 1) {
      throw new InvalidGenerationOptionError({
        option: 'maxRows',
        value: options.maxRows,
        rule: 'must be an integer >= 1',
      });
    }
    this.prefillChunk = options.prefillChunk ?? DEFAULT_PREFILL_CHUNK;
    if (!Number.isInteger(this.prefillChunk) || this.prefillChunk < 1) {
      throw new InvalidGenerationOptionError({
        option: 'prefillChunk',
        value: options.prefillChunk,
        rule: 'must be an integer >= 1',
      });
    }
  }

  get prefixCache(): PrefixCache | undefined {
    return this.options.prefixCache;
  }

  /**
   * Queues a request; resolves when it finished (an abort resolves with what it has, finishReason
   * 'abort'). Invalid requests reject at once with the same typed errors as `generate()`.
   */
  submit(request: SequenceRequest<TExtra>): Promise<SequenceResult> {
    return new Promise<SequenceResult>((resolve, reject) => {
      if (this.closed) {
        reject(new InvalidGenerationOptionError({ option: 'batcher', value: 'closed', rule: 'is closed' }));
        return;
      }
      const job = new SequenceJob<TExtra>(
        request,
        this.options.generationConfig,
        this.model.vocabSize,
        this.model.maxContextLength,
        (ids, extra) => this.model.promptKeys(ids, extra),
        resolve,
        reject,
      );
      this.waiting.push(job);
      if (!this.pumping) {
        this.pumping = true;
        this.loop = this.run();
      }
    });
  }

  stats(): BatcherStats {
    return {
      running: this.running.length,
      waiting: this.waiting.length + (this.prefilling ? 1 : 0),
      ...this.counters,
    };
  }

  /** Refuses new requests, lets the running ones finish, frees the batch. */
  async close(): Promise<void> {
    this.closed = true;
    await this.loop;
    await this.batch?.dispose();
    this.batch = undefined;
  }

  /**
   * The loop, while there is work. `pumping` is cleared in the same synchronous turn as the last
   * check for work, so a request submitted after it starts a new loop and never waits unseen.
   */
  private async run(): Promise<void> {
    try {
      while (this.waiting.length > 0 || this.prefilling !== undefined || this.running.length > 0) {
        await this.leaveAborted();
        await this.prefillSome();
        if (this.running.length > 0) await this.decodeStep();
      }
    } catch (error) {
      // a bug of ours or the model's outside any one request: fail every request, never hang one
      this.failAll(error);
    } finally {
      this.pumping = false;
    }
  }

  private failAll(error: unknown): void {
    const jobs = [...this.waiting.splice(0), ...this.running.splice(0)];
    if (this.prefilling) jobs.push(this.prefilling);
    this.prefilling = undefined;
    void this.batch?.dispose();
    this.batch = undefined;
    for (const job of jobs) job.reject(error);
  }

  /** Running rows whose request was aborted leave before the next step, with what they have. */
  private async leaveAborted(): Promise<void> {
    for (let r = this.running.length - 1; r >= 0; r--) {
      const job = this.running[r]!;
      if (!job.aborted) continue;
      job.state = this.leave(r);
      await this.finish(job);
    }
  }

  /**
   * Prefills newcomers for about `prefillChunk` tokens (at least one chunk): a long prompt takes a
   * chunk per step, short ones join together. Chunks end at multiples of `prefillChunk` (counted from
   * where the reused prefix ended), so a prompt is cut the same way whatever else runs.
   */
  private async prefillSome(): Promise<void> {
    let budget = this.prefillChunk;
    let ran = false;
    while (budget > 0) {
      if (this.prefilling === undefined && this.running.length < this.options.maxRows) this.admit();
      const job = this.prefilling;
      if (job === undefined) return;
      const from = job.state!.length;
      const chunkEnd = Math.min(
        job.promptLength,
        (Math.floor((from - job.cachedTokens) / this.prefillChunk) + 1) * this.prefillChunk +
          job.cachedTokens,
      );
      if (ran && chunkEnd - from > budget) return;
      await this.prefillChunkOf(job, chunkEnd - from);
      budget -= chunkEnd - from;
      ran = true;
    }
  }

  /** Takes the next waiting request (aborted ones end here) and gives it its starting state. */
  private admit(): void {
    while (this.waiting.length > 0) {
      const job = this.waiting.shift()!;
      if (job.aborted) {
        void this.finish(job);
        continue;
      }
      const { inputIds, extra } = job.request;
      const cache = this.options.prefixCache;
      // the last prompt token always runs: its logits give the first new token
      const match = cache?.lookup(job.keys, inputIds.length - 1, (n) =>
        this.model.alignPrefix(inputIds, extra as TExtra, n),
      );
      job.state = match?.state ?? this.model.newSequence();
      job.cachedTokens = match?.length ?? 0;
      this.prefilling = job;
      return;
    }
  }

  private async prefillChunkOf(job: SequenceJob<TExtra>, tokens: number): Promise<void> {
    if (job.aborted) {
      this.prefilling = undefined;
      await this.finish(job);
      return;
    }
    const state = job.state!;
    const before = state.length;
    let logits: Float32Array | undefined;
    try {
      const out = await this.model.prefill(state, {
        inputIds: job.request.inputIds,
        extra: job.request.extra as TExtra,
        maxTokens: tokens,
        ...(job.request.signal === undefined ? {} : { signal: job.request.signal }),
      });
      if (!(out.end > before && out.end <= job.promptLength)) {
        throw new ModelOutputError({ step: 0, expected: job.promptLength, actual: out.end });
      }
      this.counters.prefillTokens += out.end - before;
      if (out.end < job.promptLength) return; // more chunks to come
      logits = out.logits;
      if (!(logits instanceof Float32Array) || logits.length !== this.model.vocabSize) {
        throw new ModelOutputError({ step: 0, expected: this.model.vocabSize, actual: logits?.length ?? 0 });
      }
    } catch (error) {
      this.prefilling = undefined;
      job.state = undefined;
      if (job.aborted) await this.finish(job);
      else job.reject(error);
      return;
    }
    this.prefilling = undefined;
    try {
      const token = job.choose(logits);
      await job.request.streamer?.onTokens({ step: 1, tokens: [token] });
    } catch (error) {
      job.reject(error);
      return;
    }
    if (job.finishReason !== null || job.aborted) {
      await this.finish(job);
      return;
    }
    this.batch ??= this.model.startBatch(this.options.maxRows);
    const row = this.batch.add(state);
    this.running[row] = job;
    job.state = undefined; // the batch holds it now
  }

  private async decodeStep(): Promise<void> {
    const batch = this.batch!;
    const jobs = [...this.running];
    let logits: Float32Array;
    try {
      logits = await batch.decode(jobs.map((j) => j.lastToken));
    } catch (error) {
      // a failed step leaves the batch in an unknown state: every running request fails with it
      this.running.length = 0;
      await batch.dispose();
      this.batch = undefined;
      for (const job of jobs) {
        if (job.aborted) await this.finish(job);
        else job.reject(error);
      }
      return;
    }
    this.counters.decodeSteps += 1;
    this.counters.decodeRows += jobs.length;
    const v = this.model.vocabSize;
    if (!(logits instanceof Float32Array) || logits.length !== jobs.length * v) {
      const error = new ModelOutputError({ step: 1, expected: jobs.length * v, actual: logits?.length ?? 0 });
      for (let r = jobs.length - 1; r >= 0; r--) this.leave(r);
      for (const job of jobs) job.reject(error);
      return;
    }
    const failed = new Map<SequenceJob<TExtra>, unknown>();
    const streamed: Promise<void>[] = [];
    jobs.forEach((job, r) => {
      if (job.aborted) return; // leaves below, with what it had before this step
      try {
        const token = job.choose(logits.subarray(r * v, (r + 1) * v));
        const sent = job.request.streamer?.onTokens({ step: job.newTokens.length, tokens: [token] });
        if (sent) streamed.push(sent);
      } catch (error) {
        failed.set(job, error);
      }
    });
    await Promise.all(streamed);
    // leave from the last row down, so the rows still to visit keep their indexes
    for (let r = jobs.length - 1; r >= 0; r--) {
      const job = jobs[r]!;
      const error = failed.get(job);
      if (error !== undefined) {
        this.leave(r);
        job.reject(error);
      } else if (job.finishReason !== null || job.aborted) {
        job.state = this.leave(r);
        await this.finish(job);
      }
    }
  }

  /** Removes row `r` from the batch (the last row takes its index) and returns its state. */
  private leave(r: number) {
    const state = this.batch!.remove(r);
    const last = this.running.pop()!;
    if (r < this.running.length) this.running[r] = last;
    return state;
  }

  /** Resolves a request that stopped (or was aborted), keeping its state for prefix reuse. */
  private async finish(job: SequenceJob<TExtra>): Promise<void> {
    if (job.state !== undefined && job.state.length > 0) {
      this.options.prefixCache?.store(job.stateKeys(), job.state);
    }
    job.state = undefined;
    try {
      await job.request.streamer?.onEnd?.();
    } catch (error) {
      job.reject(error);
      return;
    }
    job.resolve(job.result());
  }
}
