import { MultimodalInputError } from '../errors/multimodal-input-error.js';

/** Rows of numbers, as Hugging Face's lists, e.g. `[[2, 651, 1234]]`. */
export type Rows = readonly (readonly number[])[];

/** Checks that `rows` is a non-empty [B][T] rectangle; returns B and T. */
export function rectangular(rows: Rows, field: string): { b: number; t: number } {
  if (!Array.isArray(rows) || rows.length === 0)
    throw new MultimodalInputError(field, 'needs at least one row ([B][T])');
  const t = rows[0]!.length;
  rows.forEach((row, i) => {
    if (!Array.isArray(row)) throw new MultimodalInputError(field, `row ${i} is not an array`);
    if (row.length !== t)
      throw new MultimodalInputError(field, `row ${i} has ${row.length} entries, row 0 has ${t}`);
  });
  return { b: rows.length, t };
}

/** Checks that `rows` has shape [b][t] (or is absent). */
export function sameShape(rows: Rows | undefined | null, field: string, b: number, t: number): void {
  if (rows === undefined || rows === null) return;
  const s = rectangular(rows, field);
  if (s.b !== b || s.t !== t)
    throw new MultimodalInputError(field, `shape [${s.b}, ${s.t}], inputIds is [${b}, ${t}]`);
}

/** [B][T] integers to a flat row-major array, each checked to be an integer in [min, max]. */
export function flatIntegers(rows: Rows, field: string, min: number, max: number): number[] {
  const out: number[] = [];
  rows.forEach((row, b) => {
    row.forEach((v, t) => {
      if (!Number.isSafeInteger(v) || v < min || v > max) {
        throw new MultimodalInputError(field, `[${b}][${t}] = ${v} is not an integer in [${min}, ${max}]`);
      }
      out.push(v);
    });
  });
  return out;
}
