import { InvalidPromptError } from './errors/invalid-prompt-error.js';

/** A validated, left-padded prompt batch: B rows of equal length T. */
export interface PromptBatch {
  /** [B][T] */
  inputIds: number[][];
  /** [B][T] zeros (padding) first, then ones. */
  attentionMask: number[][];
  /** [B][T] see {@link positionIdsFromAttentionMask}. */
  positionIds: number[][];
  /** [B] real (non-padding) tokens per row. */
  realLengths: number[];
}

/**
 * Positions for a left-padded batch, as the reference computes them: `cumsum(mask) - 1` along each
 * row, with padding positions set to 1. A row's first real token is position 0.
 */
export function positionIdsFromAttentionMask(attentionMask: readonly (readonly number[])[]): number[][] {
  return attentionMask.map((row) => {
    let seen = 0;
    return row.map((m) => {
      if (m === 0) return 1;
      seen++;
      return seen - 1;
    });
  });
}

/**
 * Checks the caller's prompt and builds the batch the model sees. Without an attention mask, rows of
 * different lengths are left-padded with `padTokenId` (required then); with one, the rows and mask
 * must already be left-padded and of one length T.
 */
export function preparePromptBatch(
  inputIds: readonly (readonly number[])[],
  attentionMask: readonly (readonly number[])[] | undefined,
  vocabSize: number,
  padTokenId: number | undefined,
): PromptBatch {
  if (!Array.isArray(inputIds) || inputIds.length === 0) {
    throw new InvalidPromptError({
      field: 'inputIds',
      reason: 'no rows: pass at least one prompt of token ids ([B][T])',
    });
  }
  inputIds.forEach((row, r) => {
    if (!Array.isArray(row))
      throw new InvalidPromptError({
        field: 'inputIds',
        row: r,
        reason: 'a row must be an array of token ids',
      });
    row.forEach((id, t) => {
      if (!Number.isInteger(id) || id < 0 || id >= vocabSize) {
        throw new InvalidPromptError({
          field: 'inputIds',
          row: r,
          position: t,
          reason: `token id ${id} is outside the vocabulary [0, ${vocabSize})`,
        });
      }
    });
  });
  const length = Math.max(...inputIds.map((row) => row.length));
  if (attentionMask === undefined) {
    const ragged = inputIds.some((row) => row.length !== length);
    if (ragged && padTokenId === undefined) {
      throw new InvalidPromptError({
        field: 'inputIds',
        reason: 'rows differ in length and no padTokenId is set to left-pad them',
      });
    }
    const ids = inputIds.map((row) => [
      ...new Array<number>(length - row.length).fill(padTokenId ?? 0),
      ...row,
    ]);
    const mask = inputIds.map((row) => [
      ...new Array<number>(length - row.length).fill(0),
      ...new Array<number>(row.length).fill(1),
    ]);
    return finish(ids, mask);
  }
  if (!Array.isArray(attentionMask) || attentionMask.length !== inputIds.length) {
    throw new InvalidPromptError({
      field: 'attentionMask',
      reason: `has ${Array.isArray(attentionMask) ? attentionMask.length : 'no'} rows, inputIds has ${inputIds.length}`,
    });
  }
  inputIds.forEach((row, r) => {
    if (row.length !== length) {
      throw new InvalidPromptError({
        field: 'inputIds',
        row: r,
        reason: `has ${row.length} tokens, row 0 has ${inputIds[0]?.length}: with an attentionMask, rows must be left-padded to one length`,
      });
    }
    const maskRow = attentionMask[r];
    if (!Array.isArray(maskRow) || maskRow.length !== length) {
      throw new InvalidPromptError({
        field: 'attentionMask',
        row: r,
        reason: `must have ${length} entries like inputIds`,
      });
    }
    let seenOne = false;
    maskRow.forEach((m, t) => {
      if (m !== 0 && m !== 1)
        throw new InvalidPromptError({
          field: 'attentionMask',
          row: r,
          position: t,
          reason: `must be 0 or 1, got ${m}`,
        });
      if (m === 1) seenOne = true;
      else if (seenOne) {
        throw new InvalidPromptError({
          field: 'attentionMask',
          row: r,
          position: t,
          reason: 'padding after a real token: only left padding is supported',
        });
      }
    });
  });
  return finish(
    inputIds.map((row) => [...row]),
    attentionMask.map((row) => [...row]),
  );
}

function finish(inputIds: number[][], attentionMask: number[][]): PromptBatch {
  const realLengths = attentionMask.map((row) => row.reduce((sum, m) => sum + m, 0));
  realLengths.forEach((n, r) => {
    if (n === 0)
      throw new InvalidPromptError({
        field: 'inputIds',
        row: r,
        reason: 'the row has no real tokens (empty prompt)',
      });
  });
  return { inputIds, attentionMask, positionIds: positionIdsFromAttentionMask(attentionMask), realLengths };
}
