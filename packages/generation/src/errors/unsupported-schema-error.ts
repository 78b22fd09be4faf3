import { Gemma3Error } from '@gemma3/errors';

/**
 * A JSON Schema given as an output constraint is invalid, or uses a keyword or value constrained
 * decoding does not implement. `path` is the JSON pointer of the offending schema node (`#/properties/a`),
 * `keyword` the keyword at fault.
 */
export class UnsupportedSchemaError extends Gemma3Error {
  readonly path: string;
  readonly keyword: string;
  readonly reason: string;

  constructor({ path, keyword, reason }: { path: string; keyword: string; reason: string }) {
    super({
      code: 'generation/unsupported-schema',
      message: `JSON Schema at ${path}: ${keyword}: ${reason}`,
    });
    this.path = path;
    this.keyword = keyword;
    this.reason = reason;
  }
}
