import { describe, expect, test } from 'vitest';
import { defaultParallel, parseServeArgs, ServeUsageError } from './serve.js';

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

describe('--parallel and --prefix-cache-bytes', () => {
  test('defaults: a batch of 2..8 rows, a 512 MiB prefix cache; --concurrency is the old name', () => {
    const options = parseServeArgs(['--model', '/m'], {});
    expect(options.concurrency).toBe(defaultParallel());
    expect(defaultParallel()).toBeGreaterThanOrEqual(2);
    expect(defaultParallel()).toBeLessThanOrEqual(8);
    expect(options.prefixCacheBytes).toBe(512 * 1024 * 1024);
    expect(parseServeArgs(['--model', '/m', '--parallel', '3'], {}).concurrency).toBe(3);
    expect(parseServeArgs(['--model', '/m', '--concurrency', '5'], {}).concurrency).toBe(5);
    expect(parseServeArgs(['--model', '/m', '--prefix-cache-bytes', '0'], {}).prefixCacheBytes).toBe(0);
  });

  test('values that are not integers in range are usage errors naming the flag', () => {
    for (const [flag, bad] of [
      ['--parallel', '0'],
      ['--parallel', 'two'],
      ['--parallel', '1.5'],
      ['--prefix-cache-bytes', '-1'],
      ['--prefix-cache-bytes', '1e99'],
    ] as const) {
      expect(() => parseServeArgs(['--model', '/m', flag, bad], {})).toThrow(
        new RegExp(`${flag}|${flag.slice(2)}`),
      );
      expect(() => parseServeArgs(['--model', '/m', flag, bad], {})).toThrow(ServeUsageError);
    }
  });
});
