import { ConfigValidationError } from './errors/config-validation-error.js';

type Json = Record<string, unknown>;

/**
 * Typed access to one JSON object of a config file: each getter validates the value and throws a
 * ConfigValidationError naming the file and the field path. Absent fields take the given default;
 * `null` counts as absent only where `nullIsDefault` is set (preprocessor files write null for defaults).
 */
export class Fields {
  constructor(
    readonly json: Json,
    readonly file: string,
    readonly prefix = '',
    readonly nullIsDefault = false,
  ) {}

  static of(json: unknown, file: string, prefix = '', nullIsDefault = false): Fields {
    if (typeof json !== 'object' || json === null || Array.isArray(json)) {
      throw new ConfigValidationError({ file, field: prefix || '(root)', reason: 'must be a JSON object' });
    }
    return new Fields(json as Json, file, prefix, nullIsDefault);
  }

  path(name: string): string {
    return this.prefix ? `${this.prefix}.${name}` : name;
  }

  fail(name: string, reason: string): never {
    throw new ConfigValidationError({ file: this.file, field: this.path(name), reason });
  }

  /** The raw value, or undefined when absent (or null where null means default). */
  raw(name: string): unknown {
    const value = this.json[name];
    if (value === null && this.nullIsDefault) return undefined;
    return value;
  }

  has(name: string): boolean {
    return this.raw(name) !== undefined;
  }

  /** A nested object; absent or null gives undefined (the reference treats a null sub-config as absent). */
  object(name: string): Fields | undefined {
    const value = this.json[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      this.fail(name, 'must be an object');
    return new Fields(value as Json, this.file, this.path(name), this.nullIsDefault);
  }

  int(name: string, fallback: number | undefined, min: number, max: number): number {
    const value = this.raw(name);
    if (value === undefined) {
      if (fallback === undefined) this.fail(name, 'is required');
      return fallback;
    }
    return this.checkInt(name, value, min, max);
  }

  nullableInt(name: string, fallback: number | null, min: number, max: number): number | null {
    const value = this.json[name];
    if (value === undefined) return fallback;
    if (value === null) return null;
    return this.checkInt(name, value, min, max);
  }

  checkInt(name: string, value: unknown, min: number, max: number): number {
    if (typeof value !== 'number' || !Number.isInteger(value))
      this.fail(name, `must be an integer, got ${show(value)}`);
    if (value < min || value > max) this.fail(name, `must be in [${min}, ${max}], got ${value}`);
    return value;
  }

  /** A finite number in (min, max] when exclusiveMin, else [min, max]. */
  number(name: string, fallback: number, min: number, max: number, exclusiveMin = false): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    return this.checkNumber(name, value, min, max, exclusiveMin);
  }

  nullableNumber(name: string, fallback: number | null, min: number, max: number, exclusiveMin = false) {
    const value = this.json[name];
    if (value === undefined) return fallback;
    if (value === null) return null;
    return this.checkNumber(name, value, min, max, exclusiveMin);
  }

  checkNumber(name: string, value: unknown, min: number, max: number, exclusiveMin: boolean): number {
    if (typeof value !== 'number' || !Number.isFinite(value))
      this.fail(name, `must be a number, got ${show(value)}`);
    const low = exclusiveMin ? value <= min : value < min;
    if (low || value > max)
      this.fail(name, `must be in ${exclusiveMin ? '(' : '['}${min}, ${max}], got ${value}`);
    return value;
  }

  bool(name: string, fallback: boolean): boolean {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if (typeof value !== 'boolean') this.fail(name, `must be true or false, got ${show(value)}`);
    return value;
  }

  string(name: string, fallback: string | undefined): string {
    const value = this.raw(name);
    if (value === undefined) {
      if (fallback === undefined) this.fail(name, 'is required');
      return fallback;
    }
    if (typeof value !== 'string') this.fail(name, `must be a string, got ${show(value)}`);
    return value;
  }

  nullableString(name: string, fallback: string | null): string | null {
    const value = this.json[name];
    if (value === undefined || value === null) return value === null ? null : fallback;
    if (typeof value !== 'string') this.fail(name, `must be a string, got ${show(value)}`);
    return value;
  }

  oneOf<T extends string>(name: string, fallback: T | undefined, allowed: readonly T[]): T {
    const value = this.string(name, fallback);
    if (!allowed.includes(value as T))
      this.fail(name, `must be one of ${allowed.join(', ')}, got ${show(value)}`);
    return value as T;
  }

  /** An integer or a list of integers (eos_token_id); always returned as a list. */
  intList(name: string, fallback: readonly number[], min: number, max: number): number[] {
    const value = this.raw(name);
    if (value === undefined) return [...fallback];
    if (typeof value === 'number') return [this.checkInt(name, value, min, max)];
    if (!Array.isArray(value) || value.length === 0)
      this.fail(name, `must be an integer or a non-empty list of integers`);
    return value.map((item, i) => this.checkInt(`${name}[${i}]`, item, min, max));
  }

  numberList(name: string, fallback: readonly number[], length: number, min: number, max: number): number[] {
    const value = this.raw(name);
    if (value === undefined) return [...fallback];
    if (typeof value === 'number')
      return Array.from({ length }, () => this.checkNumber(name, value, min, max, false));
    if (!Array.isArray(value) || value.length !== length)
      this.fail(name, `must be a list of ${length} numbers`);
    return value.map((item, i) => this.checkNumber(`${name}[${i}]`, item, min, max, false));
  }
}

export function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
