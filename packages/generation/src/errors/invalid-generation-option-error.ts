import { Gemma3Error } from '@gemma3/errors';

/** A generation option (or generation config field) has a value outside its allowed range. */
export class InvalidGenerationOptionError extends Gemma3Error {
  readonly option: string;
  readonly value: unknown;
  readonly rule: string;

  constructor({ option, value, rule }: { option: string; value: unknown; rule: string }) {
    super({
      code: 'generation/invalid-option',
      message: `Invalid generation option ${option}: ${rule}, got ${show(value)}`,
    });
    this.option = option;
    this.value = value;
    this.rule = rule;
  }
}

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value == null) return String(value);
  try {
    return JSON.stringify(value).slice(0, 80);
  } catch {
    return typeof value;
  }
}
