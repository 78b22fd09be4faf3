import { afterEach, expect, test, vi } from 'vitest';
import { SourceBuffers } from './source-buffers.js';

afterEach(() => {
  vi.useRealTimers();
});

test('a buffer given back is taken again for the same size only, and counted once', () => {
  const buffers = new SourceBuffers();
  const first = buffers.take(64);
  expect(first.buffer).toBeInstanceOf(SharedArrayBuffer);
  expect(first.byteLength).toBe(64);
  buffers.give(first);
  const other = buffers.take(32);
  expect(other.buffer).not.toBe(first.buffer);
  expect(buffers.take(64)).toBe(first);
  expect(buffers.take(64)).not.toBe(first); // taken already: a new one
  expect(buffers.allocatedBytes).toBe(64 + 32 + 64);
});

test('bytes that take did not make are never reused (a source may return bytes it keeps)', () => {
  const buffers = new SourceBuffers();
  const kept = new Uint8Array(new SharedArrayBuffer(8));
  buffers.give(kept);
  buffers.give(buffers.take(16).subarray(0, 8));
  expect(buffers.take(8)).not.toBe(kept);
  expect(buffers.allocatedBytes).toBe(16 + 8);
});

test('free buffers are let go 2 s after the last one came back', () => {
  vi.useFakeTimers();
  const buffers = new SourceBuffers();
  const a = buffers.take(64);
  buffers.give(a);
  vi.advanceTimersByTime(1999);
  const again = buffers.take(64);
  expect(again).toBe(a);
  buffers.give(again);
  vi.advanceTimersByTime(2000);
  expect(buffers.take(64)).not.toBe(a);
});

test('a buffer given back twice is taken once', () => {
  const buffers = new SourceBuffers();
  const a = buffers.take(8);
  buffers.give(a);
  buffers.give(a);
  expect(buffers.take(8)).toBe(a);
  expect(buffers.take(8)).not.toBe(a);
});

test('free buffers are kept up to keepBytes (then let go)', () => {
  const buffers = new SourceBuffers(100);
  const first = buffers.take(60);
  const second = buffers.take(60);
  buffers.give(first);
  buffers.give(second); // 120 bytes free would be too many: let go
  expect(buffers.take(60)).toBe(first);
  expect(buffers.take(60)).not.toBe(second);
});
