import { Gemma3Error } from '@gemma3/errors';

/**
 * The prompt batch cannot be generated from: no rows, a row without real tokens, a token id outside
 * the vocabulary, an attention mask of the wrong shape or not left-padded. `row`/`position` say where.
 */
export class InvalidPromptError extends Gemma3Error {
  readonly field: 'inputIds' | 'attentionMask';
  readonly row: number | undefined;
  readonly position: number | undefined;
  readonly reason: string;

  constructor({
    field,
    reason,
    row,
    position,
  }: { field: 'inputIds' | 'attentionMask'; reason: string; row?: number; position?: number }) {
    const where =
      row === undefined
        ? ''
        : position === undefined
          ? ` (row ${row})`
          : ` (row ${row}, position ${position})`;
    super({ code: 'generation/invalid-prompt', message: `Invalid ${field}${where}: ${reason}` });
    this.field = field;
    this.row = row;
    this.position = position;
    this.reason = reason;
  }
}
