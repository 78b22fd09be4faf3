import { describe, expect, test } from 'vitest';
import { findDuplicateKey } from './find-duplicate-key.js';

describe('findDuplicateKey', () => {
  test('finds duplicates at any depth, decoding escapes, ignoring strings that are values', () => {
    expect(findDuplicateKey('{"a": 1, "b": "a", "c": ["a", "a"]}')).toBeUndefined();
    expect(findDuplicateKey('{"a": 1, "\\u0061": 2}')).toEqual({ key: 'a', depth: 1, parentKey: undefined });
    expect(findDuplicateKey('{"t": {"x": 1, "y": {"x": 2}}, "u": {"x": 3, "x": 4}}')).toEqual({
      key: 'x',
      depth: 2,
      parentKey: 'u',
    });
    expect(findDuplicateKey('{"s": "a\\"b,{", "a\\"b,{": 1}')).toBeUndefined();
    expect(findDuplicateKey('[{"k": 1}, {"k": 2}]')).toBeUndefined();
  });

  test('reports top-level keys in text order (Object.keys would put "0" first)', () => {
    const order: string[] = [];
    findDuplicateKey('{"z": {"inner": 1}, "0": 2, " ": 3}', order);
    expect(order).toEqual(['z', '0', ' ']);
  });
});
