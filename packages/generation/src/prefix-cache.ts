import { InvalidGenerationOptionError } from './errors/invalid-generation-option-error.js';
import type { SequenceState } from './sequence-model.js';

export interface PrefixCacheOptions {
  /** Most bytes of KV state kept; least recently used entries go first. */
  maxBytes: number;
}

export interface PrefixCacheStats {
  /** Lookups that reused at least one token. */
  hits: number;
  /** Lookups that reused nothing. */
  misses: number;
  /** Prompt tokens taken from the cache instead of being prefilled. */
  reusedTokens: number;
  /** Entries dropped to stay under maxBytes. */
  evictions: number;
  entries: number;
  bytes: number;
  maxBytes: number;
}

interface Entry {
  /** Keys of the positions the state holds (`SequenceBatchModel.promptKeys` + generated ids). */
  keys: readonly number[];
  state: SequenceState;
  used: number;
}

export interface PrefixMatch {
  /** A new state holding the reused positions [0, length) (a copy: the entry stays cached). */
  state: SequenceState;
  length: number;
}

/**
 * KV states of finished sequences, found by the longest common prefix of their keys with a new
 * prompt (llama.cpp's `cache_prompt`, over many sequences; token-exact, images by content). Bounded
 * by bytes, least recently used first out. A lookup forks the state, so one entry serves any number
 * of requests; an entry whose keys are a prefix of a newer one's is replaced by it. Eviction only
 * changes speed: a miss prefills from the start, which gives the same tokens.
 */
export class PrefixCache {
  private readonly entries: Entry[] = [];
  private clock = 0;
  private totalBytes = 0;
  private readonly counters = { hits: 0, misses: 0, reusedTokens: 0, evictions: 0 };

  constructor(private readonly options: PrefixCacheOptions) {
    if (!Number.isSafeInteger(options.maxBytes) || options.maxBytes < 0) {
      throw new InvalidGenerationOptionError({
        option: 'prefixCache.maxBytes',
        value: options.maxBytes,
        rule: 'must be a non-negative integer',
      });
    }
  }

  get maxBytes(): number {
    return this.options.maxBytes;
  }

  /**
   * The longest reusable prefix of `keys` (at most `maxLength` positions, cut back by `align` and by
   * what the state can give exactly), forked; undefined when nothing can be reused.
   */
  lookup(
    keys: readonly number[],
    maxLength: number,
    align: (length: number) => number,
  ): PrefixMatch | undefined {
    let best: { entry: Entry; length: number } | undefined;
    for (const entry of this.entries) {
      const common = commonPrefix(entry.keys, keys, Math.min(maxLength, entry.state.length));
      if (common <= (best?.length ?? 0)) continue;
      const length = entry.state.reusableLength(align(common));
      if (length > (best?.length ?? 0)) best = { entry, length };
    }
    if (best === undefined) {
      this.counters.misses += 1;
      return undefined;
    }
    best.entry.used = ++this.clock;
    this.counters.hits += 1;
    this.counters.reusedTokens += best.length;
    return { state: best.entry.state.fork(best.length), length: best.length };
  }

  /** Keeps `state` (whose positions have keys `keys`), evicting least recently used entries. */
  store(keys: readonly number[], state: SequenceState): void {
    if (state.length === 0 || state.bytes > this.options.maxBytes) return;
    const held = keys.slice(0, state.length);
    for (let i = this.entries.length - 1; i >= 0; i--) {
      const other = this.entries[i]!;
      // an entry the new one extends (or repeats) gives nothing the new one does not
      if (
        other.state.length <= held.length &&
        commonPrefix(other.keys, held, other.state.length) === other.state.length
      ) {
        this.remove(i);
      }
    }
    this.entries.push({ keys: held, state, used: ++this.clock });
    this.totalBytes += state.bytes;
    while (this.totalBytes > this.options.maxBytes && this.entries.length > 0) {
      let oldest = 0;
      this.entries.forEach((e, i) => {
        if (e.used < this.entries[oldest]!.used) oldest = i;
      });
      this.remove(oldest);
      this.counters.evictions += 1;
    }
  }

  private remove(index: number): void {
    const [entry] = this.entries.splice(index, 1);
    if (entry) this.totalBytes -= entry.state.bytes;
  }

  /** Drops every entry. */
  clear(): void {
    this.entries.length = 0;
    this.totalBytes = 0;
  }

  stats(): PrefixCacheStats {
    return {
      ...this.counters,
      entries: this.entries.length,
      bytes: this.totalBytes,
      maxBytes: this.options.maxBytes,
    };
  }
}

/** Length of the common prefix of `a` and `b`, at most `limit`. */
export function commonPrefix(a: readonly number[], b: readonly number[], limit: number): number {
  const n = Math.min(a.length, b.length, limit);
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  return i;
}
