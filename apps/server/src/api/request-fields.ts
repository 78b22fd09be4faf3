import { InvalidRequestError } from '../errors/invalid-request-error.js';

/** JSON type names for messages: `expected a number, got a string`. */
export function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'number') return 'a number';
  if (typeof value === 'boolean') return 'a boolean';
  return typeof value;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads the fields of one JSON object, each by name, with the path for errors (`messages[0].role`).
 * A field that is null counts as absent (OpenAI semantics). `rejectUnread()` turns every field that
 * was not read into a 400 naming it, so nothing the client asked for is silently ignored.
 */
export class RequestFields {
  private readonly read = new Set<string>();

  constructor(
    private readonly record: Record<string, unknown>,
    private readonly path: string,
  ) {}

  static of(value: unknown, path: string): RequestFields {
    if (!isRecord(value)) {
      throw new InvalidRequestError(
        `${path || 'The request body'} must be a JSON object, got ${jsonType(value)}`,
        path || null,
      );
    }
    return new RequestFields(value, path);
  }

  at(key: string): string {
    return this.path === '' ? key : `${this.path}.${key}`;
  }

  /** The raw value (undefined for absent or null). */
  raw(key: string): unknown {
    this.read.add(key);
    const value = Object.hasOwn(this.record, key) ? this.record[key] : undefined;
    return value === null ? undefined : value;
  }

  has(key: string): boolean {
    return this.raw(key) !== undefined;
  }

  string(key: string, options: { required?: boolean; nonEmpty?: boolean } = {}): string | undefined {
    const value = this.raw(key);
    if (value === undefined) {
      if (options.required)
        throw new InvalidRequestError(
          `Missing required parameter '${this.at(key)}'`,
          this.at(key),
          'missing_required_parameter',
        );
      return undefined;
    }
    if (typeof value !== 'string') {
      throw new InvalidRequestError(
        `'${this.at(key)}' must be a string, got ${jsonType(value)}`,
        this.at(key),
        'invalid_type',
      );
    }
    if (options.nonEmpty && value === '') {
      throw new InvalidRequestError(`'${this.at(key)}' must not be empty`, this.at(key), 'invalid_value');
    }
    return value;
  }

  boolean(key: string): boolean | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    if (typeof value !== 'boolean') {
      throw new InvalidRequestError(
        `'${this.at(key)}' must be a boolean, got ${jsonType(value)}`,
        this.at(key),
        'invalid_type',
      );
    }
    return value;
  }

  /** A finite number in [min, max] (`minExclusive` makes the lower bound open). */
  number(
    key: string,
    min: number,
    max: number,
    options: { minExclusive?: boolean } = {},
  ): number | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new InvalidRequestError(
        `'${this.at(key)}' must be a number, got ${jsonType(value)}`,
        this.at(key),
        'invalid_type',
      );
    }
    const low = options.minExclusive ? value <= min : value < min;
    if (low || value > max) {
      const range = `${options.minExclusive ? '(' : '['}${min}, ${max}]`;
      throw new InvalidRequestError(
        `'${this.at(key)}' is ${value}; it must be in ${range}`,
        this.at(key),
        'invalid_value',
      );
    }
    return value;
  }

  integer(key: string, min: number, max: number): number | undefined {
    const value = this.number(key, min, max);
    if (value !== undefined && !Number.isInteger(value)) {
      throw new InvalidRequestError(
        `'${this.at(key)}' must be an integer, got ${value}`,
        this.at(key),
        'invalid_type',
      );
    }
    return value;
  }

  /** Accepts the field only when it is absent or equal to `neutral` (a no-op value many clients send). */
  onlyNeutral(key: string, neutral: readonly unknown[], why: string): void {
    const value = this.raw(key);
    if (value === undefined || neutral.includes(value)) return;
    throw new InvalidRequestError(
      `'${this.at(key)}' = ${JSON.stringify(value)} is not supported: ${why}`,
      this.at(key),
      'unsupported_parameter',
    );
  }

  /** Fails on the first field that nothing read. */
  rejectUnread(known: ReadonlySet<string> = new Set()): void {
    for (const key of Object.keys(this.record)) {
      if (this.read.has(key)) continue;
      const where = this.at(key);
      throw new InvalidRequestError(
        known.has(key)
          ? `Unsupported parameter '${where}': this server does not implement it`
          : `Unrecognized parameter '${where}'`,
        where,
        known.has(key) ? 'unsupported_parameter' : 'unknown_parameter',
      );
    }
  }
}
