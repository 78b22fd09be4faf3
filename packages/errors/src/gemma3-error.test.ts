import { describe, expect, test } from 'vitest';
import { Gemma3Error } from './gemma3-error.js';

class ExampleError extends Gemma3Error {
  constructor(readonly file: string) {
    super({ code: 'example/bad-file', message: `bad file ${file}` });
  }
}

describe('Gemma3Error', () => {
  test('subclasses keep their name, code, fields and cause', () => {
    const cause = new Error('root');
    const error = new Gemma3Error({ code: 'x/y', message: 'm', cause });
    expect(error.cause).toBe(cause);
    const example = new ExampleError('a.json');
    expect(example.name).toBe('ExampleError');
    expect(example.code).toBe('example/bad-file');
    expect(example.file).toBe('a.json');
    expect(example).toBeInstanceOf(Error);
  });

  test('isInstance recognises marked objects only', () => {
    expect(Gemma3Error.isInstance(new ExampleError('f'))).toBe(true);
    expect(Gemma3Error.isInstance(new Error('plain'))).toBe(false);
    expect(Gemma3Error.isInstance(null)).toBe(false);
    expect(Gemma3Error.isInstance({ [Symbol.for('gemma3.error')]: true })).toBe(true);
  });
});
