import { createHash } from 'node:crypto';
import { MultimodalInputError } from '../errors/multimodal-input-error.js';

/** sha256 of an image's pixel values (their float32 bytes) plus its shape: the key of a cached embedding. */
export function pixelKey(pixels: Float32Array, dims: readonly number[]): string {
  return createHash('sha256')
    .update(dims.join('x'))
    .update(new Uint8Array(pixels.buffer, pixels.byteOffset, pixels.byteLength))
    .digest('hex');
}

/** Images kept by default. */
export const DEFAULT_IMAGE_CACHE_ENTRIES = 32;
/**
 * Feature bytes kept by default: 64 MiB, 25 images of the 4B model (256 x 2560 float32 = 2.5 MiB each),
 * 17 of the 12B (3840 wide), 12 of the 27B (5376 wide); small beside the weights of any of them.
 */
export const DEFAULT_IMAGE_CACHE_BYTES = 64 * 1024 * 1024;

export interface ImageEmbeddingCacheOptions {
  /** Images kept at most (default 32); 0 disables the cache. */
  maxEntries?: number;
  /** Feature bytes kept at most (default 64 MiB); 0 disables the cache. */
  maxBytes?: number;
}

/** Counters since the cache was made (`clear()` keeps them) and its contents now. */
export interface ImageCacheStats {
  /** Lookups that found the image's features. */
  hits: number;
  /** Lookups that did not (the image was then encoded). */
  misses: number;
  /** Entries dropped to stay within `maxEntries` / `maxBytes`. */
  evictions: number;
  entries: number;
  /** Bytes of the features held now. */
  bytes: number;
  maxEntries: number;
  maxBytes: number;
}

/**
 * A least-recently-used map from an image's pixel hash to its projected features [M, Ht], so an image
 * that comes again (a later chat turn) is not encoded again. Bounded by entries and by bytes: adding an
 * entry drops the least recently used ones until both bounds hold; features larger than `maxBytes` on
 * their own are not kept.
 */
export class ImageEmbeddingCache {
  private readonly entries = new Map<string, Float32Array>();
  readonly maxEntries: number;
  readonly maxBytes: number;
  private heldBytes = 0;
  private hits = 0;
  private misses = 0;
  private evictions = 0;

  constructor(options: ImageEmbeddingCacheOptions = {}) {
    this.maxEntries = checkBound('imageCache.maxEntries', options.maxEntries ?? DEFAULT_IMAGE_CACHE_ENTRIES);
    this.maxBytes = checkBound('imageCache.maxBytes', options.maxBytes ?? DEFAULT_IMAGE_CACHE_BYTES);
  }

  get size(): number {
    return this.entries.size;
  }

  /** Bytes of the features held now. */
  get bytes(): number {
    return this.heldBytes;
  }

  get(key: string): Float32Array | undefined {
    const value = this.entries.get(key);
    if (value === undefined) {
      this.misses += 1;
      return undefined;
    }
    this.hits += 1;
    this.entries.delete(key); // re-insert: most recently used last
    this.entries.set(key, value);
    return value;
  }

  set(key: string, value: Float32Array): void {
    this.remove(key);
    if (this.maxEntries <= 0 || value.byteLength > this.maxBytes) return;
    this.entries.set(key, value);
    this.heldBytes += value.byteLength;
    while (this.entries.size > this.maxEntries || this.heldBytes > this.maxBytes) {
      const oldest = this.entries.keys().next().value as string;
      this.remove(oldest);
      this.evictions += 1;
    }
  }

  /** Drops every entry; the counters stay (they count since the cache was made). */
  clear(): void {
    this.entries.clear();
    this.heldBytes = 0;
  }

  stats(): ImageCacheStats {
    return {
      hits: this.hits,
      misses: this.misses,
      evictions: this.evictions,
      entries: this.entries.size,
      bytes: this.heldBytes,
      maxEntries: this.maxEntries,
      maxBytes: this.maxBytes,
    };
  }

  private remove(key: string): void {
    const old = this.entries.get(key);
    if (old === undefined) return;
    this.entries.delete(key);
    this.heldBytes -= old.byteLength;
  }
}

function checkBound(field: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new MultimodalInputError(field, `must be an integer >= 0, got ${value}`);
  return value;
}
