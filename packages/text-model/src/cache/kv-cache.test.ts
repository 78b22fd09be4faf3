import { describe, expect, test } from 'vitest';
import { CacheCapacityError } from '../errors/cache-capacity-error.js';
import { KvCache, MASKED } from './kv-cache.js';

const D = 2;
function cache(kind: 'dynamic' | 'static', window: number, maxLength?: number, batchSize = 1): KvCache {
  return new KvCache({
    batchSize,
    layerTypes: ['sliding_attention', 'full_attention'],
    kvHeads: 1,
    headDim: D,
    slidingWindow: window,
    kind,
    maxLength,
  });
}

/** New rows [B=1, KV=1, T, D] whose values are the positions they belong to. */
function rows(first: number, count: number): Float32Array {
  const out = new Float32Array(count * D);
  for (let t = 0; t < count; t++) out.fill(first + t, t * D, (t + 1) * D);
  return out;
}

function step(c: KvCache, count: number, mask = new Uint8Array(count).fill(1)): void {
  c.checkRoom(count);
  const k = rows(c.length, count);
  c.append([k, k], [k, k], mask, count);
}

/** Visible keys (0 bias) of query t: slot positions first, then new tokens as `new+k`. */
function visible(
  c: KvCache,
  kind: 'sliding_attention' | 'full_attention',
  count: number,
  t: number,
  mask?: Uint8Array,
  groups?: Int32Array,
): string[] {
  const m = mask ?? new Uint8Array(count).fill(1);
  const bias = c.attentionBias(kind, m, count, groups);
  const width = c.capacity(kind) + count;
  const keys = c.layer(kind === 'sliding_attention' ? 0 : 1).key;
  const out: string[] = [];
  for (let s = 0; s < width; s++) {
    const v = bias[t * width + s]!;
    expect(v === 0 || v === MASKED).toBe(true);
    if (v === 0) out.push(s < c.capacity(kind) ? `p${keys[s * D]}` : `new+${s - c.capacity(kind)}`);
  }
  return out.sort();
}

describe('KvCache', () => {
  test('sliding layers keep window - 1 keys as a ring; queries see q - k < window', () => {
    const c = cache('dynamic', 4);
    step(c, 6); // positions 0..5; the sliding ring keeps 3 (window - 1): 3, 4, 5
    expect(c.capacity('sliding_attention')).toBe(3);
    expect(visible(c, 'sliding_attention', 1, 0)).toEqual(['new+0', 'p3', 'p4', 'p5']); // query 6 sees 3..6
    step(c, 1); // position 6 overwrites the slot of 3
    expect(visible(c, 'sliding_attention', 1, 0)).toEqual(['new+0', 'p4', 'p5', 'p6']);
    // full layers keep everything, in slot = position order
    expect(c.capacity('full_attention')).toBe(256);
    expect(visible(c, 'full_attention', 1, 0)).toEqual(['new+0', 'p0', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6']);
  });

  test('within one step: causal, windowed on sliding layers, padding masked', () => {
    const c = cache('dynamic', 3);
    const mask = Uint8Array.from([0, 1, 1, 1, 1]);
    c.checkRoom(5);
    expect(visible(c, 'full_attention', 5, 4, mask)).toEqual(['new+1', 'new+2', 'new+3', 'new+4']);
    expect(visible(c, 'sliding_attention', 5, 4, mask)).toEqual(['new+2', 'new+3', 'new+4']);
    expect(visible(c, 'full_attention', 5, 0, mask)).toEqual([]); // a padding query sees nothing
  });

  test('padding keys stay masked in later steps', () => {
    const c = cache('dynamic', 8);
    c.checkRoom(3);
    const k = rows(0, 3);
    c.append([k, k], [k, k], Uint8Array.from([0, 1, 1]), 3);
    expect(visible(c, 'full_attention', 1, 0)).toEqual(['new+0', 'p1', 'p2']);
    expect(Array.from(c.defaultPositions(Uint8Array.from([1]), 1))).toEqual([2n]);
  });

  test('bidirectional groups see each other both ways, still windowed', () => {
    const c = cache('dynamic', 3);
    c.checkRoom(4);
    const groups = Int32Array.from([0, 7, 7, 7]);
    expect(visible(c, 'full_attention', 4, 1, undefined, groups)).toEqual([
      'new+0',
      'new+1',
      'new+2',
      'new+3',
    ]);
    expect(visible(c, 'full_attention', 4, 0, undefined, groups)).toEqual(['new+0']);
    // sliding: k > q passes the window (q - k < 3); k = q - 3 does not
    expect(visible(c, 'sliding_attention', 4, 3, undefined, groups)).toEqual(['new+1', 'new+2', 'new+3']);
  });

  test('a static cache is preallocated and refuses to grow', () => {
    const c = cache('static', 4, 5);
    expect(c.capacity('full_attention')).toBe(5);
    expect(c.capacity('sliding_attention')).toBe(3);
    step(c, 4);
    step(c, 1);
    expect(() => c.checkRoom(1)).toThrow(CacheCapacityError);
  });

  test('growing keeps keys in their slots and batch rows apart', () => {
    const c = new KvCache({
      batchSize: 2,
      layerTypes: ['full_attention'],
      kvHeads: 1,
      headDim: 1,
      slidingWindow: 4,
      kind: 'dynamic',
    });
    for (let i = 0; i < 300; i++) {
      c.checkRoom(1);
      c.append(
        [Float32Array.from([i, 1000 + i])],
        [Float32Array.from([i, 1000 + i])],
        Uint8Array.from([1, 1]),
        1,
      );
    }
    const { key, dims } = c.layer(0);
    expect(dims).toEqual([2, 1, 512, 1]);
    expect([key[0], key[299], key[512], key[512 + 299], key[300]]).toEqual([0, 299, 1000, 1299, 0]);
  });
});
