import { describe, expect, test } from 'vitest';
import { InvalidModelIdError } from './errors/invalid-model-id-error.js';
import { InvalidRevisionError } from './errors/invalid-revision-error.js';
import { UnsafeFileNameError } from './errors/unsafe-file-name-error.js';
import {
  assertSafeRepoFilePath,
  assertValidRevision,
  isCommitHash,
  isValidModelId,
  parseModelId,
} from './model-id.js';

describe('parseModelId', () => {
  test.each(['google/gemma-3-4b-it', 'unsloth/gemma-3-270m', 'a/b', 'Org_1/name.v2-x', 'x/gemma_3'])(
    'accepts %s',
    (id) => {
      const [org, name] = id.split('/');
      expect(parseModelId(id)).toEqual({ org, name, id });
    },
  );

  test.each([
    ['google', 'exactly one "/"'],
    ['a/b/c', 'exactly one "/"'],
    ['../b', '".."'],
    ['a/..', '".."'],
    ['a/b..c', '".."'],
    ['a--b/c', '"--"'],
    ['a/-b', 'must start and end'],
    ['a/b-', 'must start and end'],
    ['a/.b', 'must start and end'],
    ['a/b c', 'may only hold'],
    ['a/b%2F', 'may only hold'],
    ['a/ü', 'may only hold'],
    ['/b', 'empty'],
    ['a/', 'empty'],
    ['a/b.git', '".git"'],
    [`a/${'x'.repeat(97)}`, 'longer than 96'],
  ])('rejects %j (%s)', (id, reason) => {
    const error = (() => {
      try {
        parseModelId(id);
      } catch (e) {
        return e;
      }
    })() as InvalidModelIdError;
    expect(error).toBeInstanceOf(InvalidModelIdError);
    expect(error.code).toBe('hub/invalid-model-id');
    expect(error.modelId).toBe(id);
    expect(error.message).toContain(reason);
    expect(isValidModelId(id)).toBe(false);
  });
});

describe('revisions and file paths', () => {
  test('commit hashes are exactly 40 lowercase hex digits', () => {
    expect(isCommitHash('0123456789abcdef0123456789abcdef01234567')).toBe(true);
    expect(isCommitHash('0123456789ABCDEF0123456789abcdef01234567')).toBe(false);
    expect(isCommitHash('0123456')).toBe(false);
  });

  test.each(['main', 'v1.0', 'refs/pr/12', 'feature/x_y-z'])('revision %s is accepted', (revision) => {
    expect(() => assertValidRevision(revision)).not.toThrow();
  });

  test.each(['', '..', '../main', 'a/../../b', '/main', 'main/', 'a b', 'a\\b', 'x'.repeat(257)])(
    'revision %j is rejected',
    (revision) => {
      expect(() => assertValidRevision(revision)).toThrow(InvalidRevisionError);
    },
  );

  test.each(['config.json', 'onnx/model.onnx', 'a b/c d.json'])('file %s is safe', (file) => {
    expect(() => assertSafeRepoFilePath('o/n', file)).not.toThrow();
  });

  test.each(['', '../x', 'a/../../x', '/etc/passwd', 'C:/x', 'a\\b', 'a//b', './x', 'a\0b'])(
    'file %j is refused',
    (file) => {
      expect(() => assertSafeRepoFilePath('o/n', file)).toThrow(UnsafeFileNameError);
    },
  );
});
