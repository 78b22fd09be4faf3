import { describe, expect, test } from 'vitest';
import { parseServeArgs, ServeUsageError } from './serve.js';

describe('gemma3 serve arguments', () => {
  test('defaults bind to loopback and leave the dtype to the pipeline (fp32)', () => {
    const options = parseServeArgs(['--model', '/m'], {});
    expect(options.host).toBe('127.0.0.1');
    expect(options.dtype).toBeUndefined();
  });

  test('--dtype takes the quantized builds', () => {
    expect(parseServeArgs(['--model', '/m', '--dtype', 'q4'], {}).dtype).toBe('q4');
    expect(parseServeArgs(['--model', '/m', '--dtype', 'q8'], {}).dtype).toBe('q8');
  });

  test('an unknown --dtype is a usage error naming the choices', () => {
    expect(() => parseServeArgs(['--model', '/m', '--dtype', 'int3'], {})).toThrow(ServeUsageError);
    expect(() => parseServeArgs(['--model', '/m', '--dtype', 'int3'], {})).toThrow(/fp32, float32, q8, q4/);
  });
});

describe('--served-by', () => {
  test('names the replica in ServeOptions; absent by default', () => {
    expect(parseServeArgs(['--model', '/m', '--served-by', 'replica-1'], {}).servedBy).toBe('replica-1');
    expect(parseServeArgs(['--model', '/m'], {}).servedBy).toBeUndefined();
  });

  test('a value that is not a plain header token is a usage error', () => {
    for (const bad of ['', 'a b', 'x\r\ny', 'é', 'x'.repeat(65)]) {
      expect(() => parseServeArgs(['--model', '/m', '--served-by', bad], {})).toThrow(/--served-by/);
    }
  });
});
