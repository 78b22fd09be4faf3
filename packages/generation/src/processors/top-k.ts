/**
 * Top-k warper, as transformers' TopKLogitsWarper: every score strictly below the k-th largest score
 * becomes -Infinity (ties with the k-th score are kept, so more than k may survive).
 * k <= 0 disables; k >= V keeps everything. In place on one row [V].
 */
export function applyTopK(scores: Float32Array, topK: number): void {
  if (topK <= 0 || topK >= scores.length) return;
  const kth = kthLargest(scores, topK);
  for (let i = 0; i < scores.length; i++)
    if ((scores[i] as number) < kth) scores[i] = Number.NEGATIVE_INFINITY;
}

/** The k-th largest value (1-based k), with a min-heap of size k: O(V log k). */
function kthLargest(values: Float32Array, k: number): number {
  const heap = new Float64Array(k);
  let size = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (size < k) {
      let c = size++;
      heap[c] = v;
      while (c > 0) {
        const p = (c - 1) >> 1;
        if ((heap[p] as number) <= (heap[c] as number)) break;
        swap(heap, p, c);
        c = p;
      }
    } else if (v > (heap[0] as number)) {
      heap[0] = v;
      let p = 0;
      for (;;) {
        const l = 2 * p + 1;
        const r = l + 1;
        let m = p;
        if (l < k && (heap[l] as number) < (heap[m] as number)) m = l;
        if (r < k && (heap[r] as number) < (heap[m] as number)) m = r;
        if (m === p) break;
        swap(heap, p, m);
        p = m;
      }
    }
  }
  return heap[0] as number;
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i] as number;
  a[i] = a[j] as number;
  a[j] = t;
}
