import { TokenizerFileError } from './errors/tokenizer-file-error.js';

/** Small checked accessors for fields of a parsed JSON file, throwing TokenizerFileError with the field path. */
export class JsonFields {
  constructor(readonly file: string) {}

  fail(field: string, reason: string): never {
    throw new TokenizerFileError({ file: this.file, field, reason });
  }

  object(value: unknown, field: string): Record<string, unknown> {
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      this.fail(field, 'expected an object');
    return value as Record<string, unknown>;
  }

  array(value: unknown, field: string): unknown[] {
    if (!Array.isArray(value)) this.fail(field, 'expected an array');
    return value;
  }

  string(value: unknown, field: string): string {
    if (typeof value !== 'string') this.fail(field, 'expected a string');
    return value;
  }

  boolean(value: unknown, field: string, fallback?: boolean): boolean {
    if (value === undefined && fallback !== undefined) return fallback;
    if (typeof value !== 'boolean') this.fail(field, 'expected a boolean');
    return value;
  }

  tokenId(value: unknown, field: string): number {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value >= 2 ** 31) {
      this.fail(field, 'expected a non-negative integer token id');
    }
    return value;
  }

  /** `{ "String": "..." }` pattern; Regex patterns are reported as unsupported by the caller. */
  stringPattern(value: unknown, field: string): string | { regex: string } {
    const pattern = this.object(value, field);
    if (typeof pattern.String === 'string') return pattern.String;
    if (typeof pattern.Regex === 'string') return { regex: pattern.Regex };
    this.fail(field, 'expected {"String": ...} or {"Regex": ...}');
  }
}
