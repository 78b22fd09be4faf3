/**
 * Bidirectional attention groups of a prompt, as the reference's `get_block_sequence_ids_for_mask`:
 * each maximal run of `token_type_ids == 1` in a row is one image; its tokens get the same group id
 * (1, 2, ... along the row; the decoder runner's convention is that ids > 0 form a group), text gets 0.
 * Input and output are flat [B * T].
 */
export function imageGroups(tokenTypeIds: readonly number[], b: number, t: number): Int32Array {
  const groups = new Int32Array(b * t);
  for (let row = 0; row < b; row++) {
    let group = 0;
    for (let k = 0; k < t; k++) {
      const i = row * t + k;
      if (tokenTypeIds[i] !== 1) continue;
      if (k === 0 || tokenTypeIds[i - 1] !== 1) group += 1;
      groups[i] = group;
    }
  }
  return groups;
}

/** token_type_ids as Gemma3Processor makes them: 1 on image soft tokens, 0 elsewhere (flat [B * T]). */
export function tokenTypeIdsFromImageTokens(ids: readonly number[], imageTokenId: number): number[] {
  return ids.map((id) => (id === imageTokenId ? 1 : 0));
}
