import { createHash } from 'node:crypto';

/** sha256 of an image's pixel values (their float32 bytes) plus its shape: the key of a cached embedding. */
export function pixelKey(pixels: Float32Array, dims: readonly number[]): string {
  return createHash('sha256')
    .update(dims.join('x'))
    .update(new Uint8Array(pixels.buffer, pixels.byteOffset, pixels.byteLength))
    .digest('hex');
}

/**
 * A bounded least-recently-used map from an image's pixel hash to its projected features [M, Ht], so an
 * image that comes again (a later chat turn) is not encoded again. `maxEntries` 0 disables it.
 */
export class ImageEmbeddingCache {
  private readonly entries = new Map<string, Float32Array>();
  hits = 0;
  misses = 0;

  constructor(readonly maxEntries: number) {}

  get size(): number {
    return this.entries.size;
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
    if (this.maxEntries <= 0) return;
    this.entries.delete(key);
    this.entries.set(key, value);
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  clear(): void {
    this.entries.clear();
  }
}
