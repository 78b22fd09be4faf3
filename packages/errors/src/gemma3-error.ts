const marker = Symbol.for('gemma3.error');

export interface Gemma3ErrorOptions {
  /** Stable machine-readable code, e.g. `safetensors/overlapping-offsets`. */
  code: string;
  message: string;
  cause?: unknown;
}

/**
 * Base of every error the Gemma 3 packages throw on purpose. Each package defines small subclasses
 * (one per file under `src/errors/`) with typed fields naming what was wrong and where.
 *
 * `Gemma3Error.isInstance(e)` works across copies of this package (it checks a `Symbol.for` marker,
 * not the prototype chain), so two installed versions still recognise each other's errors.
 */
export class Gemma3Error extends Error {
  readonly [marker] = true;
  readonly code: string;

  constructor({ code, message, cause }: Gemma3ErrorOptions) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = new.target.name;
    this.code = code;
  }

  static isInstance(error: unknown): error is Gemma3Error {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[marker] === true;
  }
}
