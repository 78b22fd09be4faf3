import { describe, expect, it } from 'vitest';
import { MultimodalInputError } from '../errors/multimodal-input-error.js';
import {
  DEFAULT_IMAGE_CACHE_BYTES,
  DEFAULT_IMAGE_CACHE_ENTRIES,
  ImageEmbeddingCache,
} from './image-embedding-cache.js';

/** Features of `floats` float32 values (4 bytes each), filled with `fill`. */
const features = (floats: number, fill = 0) => new Float32Array(floats).fill(fill);

describe('ImageEmbeddingCache', () => {
  it('evicts the least recently used entry beyond maxEntries, and counts it', () => {
    const cache = new ImageEmbeddingCache({ maxEntries: 2 });
    cache.set('a', features(1, 1));
    cache.set('b', features(1, 2));
    expect(cache.get('a')).toEqual(features(1, 1)); // a is now the most recent
    cache.set('c', features(1, 3));
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBeDefined();
    expect(cache.get('c')).toBeDefined();
    expect(cache.stats()).toMatchObject({ entries: 2, bytes: 8, evictions: 1, hits: 3, misses: 1 });
  });

  it('evicts by bytes: as many of the oldest entries as the new one needs', () => {
    const cache = new ImageEmbeddingCache({ maxEntries: 100, maxBytes: 100 });
    cache.set('a', features(10)); // 40 bytes
    cache.set('b', features(10)); // 80
    cache.set('c', features(5)); // 100: fits exactly
    expect(cache.stats()).toMatchObject({ entries: 3, bytes: 100, evictions: 0 });
    cache.set('d', features(15)); // 160 bytes: a goes (120, still over), then b (80)
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('c')).toBeDefined();
    expect(cache.get('d')).toBeDefined();
    expect(cache.stats()).toMatchObject({ entries: 2, bytes: 80, evictions: 2 });
  });

  it('a 4B-sized image (256 x 2560 float32) fits the default budget 25 times', () => {
    const cache = new ImageEmbeddingCache();
    expect(cache.maxEntries).toBe(DEFAULT_IMAGE_CACHE_ENTRIES);
    expect(cache.maxBytes).toBe(DEFAULT_IMAGE_CACHE_BYTES);
    const one = features(256 * 2560);
    for (let i = 0; i < 30; i++) cache.set(`image-${i}`, one);
    expect(cache.size).toBe(25);
    expect(cache.bytes).toBe(25 * one.byteLength);
    expect(cache.bytes).toBeLessThanOrEqual(cache.maxBytes);
    expect(cache.stats().evictions).toBe(5);
    expect(cache.get('image-4')).toBeUndefined(); // the five oldest went
    expect(cache.get('image-5')).toBeDefined();
  });

  it('replacing a key updates the bytes held and is no eviction', () => {
    const cache = new ImageEmbeddingCache({ maxBytes: 1000 });
    cache.set('a', features(10));
    cache.set('a', features(20));
    expect(cache.stats()).toMatchObject({ entries: 1, bytes: 80, evictions: 0 });
  });

  it('does not keep features larger than maxBytes on their own (and keeps the others)', () => {
    const cache = new ImageEmbeddingCache({ maxBytes: 40 });
    cache.set('small', features(10));
    cache.set('big', features(11));
    expect(cache.get('big')).toBeUndefined();
    expect(cache.get('small')).toBeDefined();
    expect(cache.stats()).toMatchObject({ entries: 1, bytes: 40, evictions: 0 });
  });

  it('0 entries or 0 bytes disables it; lookups are still counted as misses', () => {
    for (const options of [{ maxEntries: 0 }, { maxBytes: 0 }]) {
      const cache = new ImageEmbeddingCache(options);
      cache.set('a', features(1));
      expect(cache.get('a')).toBeUndefined();
      expect(cache.stats()).toMatchObject({ entries: 0, bytes: 0, misses: 1, hits: 0 });
    }
  });

  it('clear() drops the entries and keeps the counters', () => {
    const cache = new ImageEmbeddingCache();
    cache.set('a', features(4));
    cache.get('a');
    cache.get('x');
    cache.clear();
    expect(cache.stats()).toMatchObject({ entries: 0, bytes: 0, hits: 1, misses: 1 });
    expect(cache.get('a')).toBeUndefined();
  });

  it('refuses bounds that are not integers >= 0', () => {
    for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => new ImageEmbeddingCache({ maxBytes: bad })).toThrow(MultimodalInputError);
      expect(() => new ImageEmbeddingCache({ maxEntries: bad })).toThrow(/imageCache.maxEntries/);
    }
  });
});
