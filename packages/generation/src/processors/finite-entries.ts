/** The finite (not removed) scores of a row, as parallel arrays, when there are few of them. */
export interface FiniteEntries {
  /** [n] token ids, ascending. */
  ids: Int32Array;
  /** [n] their scores. */
  values: Float32Array;
  count: number;
}

/**
 * Collects the scores above -Infinity in one pass, or returns undefined as soon as there are more
 * than `limit` (then the caller works on the dense row). After top-k a row has about k of them, and
 * the later processors and the draw then cost O(k) instead of O(V).
 */
export function finiteEntries(scores: Float32Array, limit: number): FiniteEntries | undefined {
  const ids = new Int32Array(limit);
  const values = new Float32Array(limit);
  let count = 0;
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i] as number;
    if (s === Number.NEGATIVE_INFINITY) continue;
    if (count === limit) return undefined;
    ids[count] = i;
    values[count] = s;
    count++;
  }
  return { ids, values, count };
}
