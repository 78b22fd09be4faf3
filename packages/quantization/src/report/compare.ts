/** How far quantized logits are from the float32 ones, over `positions` rows of `vocab` logits. */
export interface LogitComparison {
  positions: number;
  maxAbs: number;
  meanAbs: number;
  /** maxAbs over the spread (max - min) of the reference logits. */
  maxRel: number;
  /** Positions where the argmax agrees. */
  top1: number;
}

function argmax(a: Float32Array, start: number, length: number): number {
  let best = start;
  for (let i = start + 1; i < start + length; i++) if (a[i]! > a[best]!) best = i;
  return best - start;
}

export function compareLogits(reference: Float32Array, test: Float32Array, vocab: number): LogitComparison {
  const positions = reference.length / vocab;
  let maxAbs = 0;
  let sumAbs = 0;
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  let top1 = 0;
  for (let i = 0; i < reference.length; i++) {
    const r = reference[i]!;
    const d = Math.abs(r - test[i]!);
    if (d > maxAbs) maxAbs = d;
    sumAbs += d;
    if (r < lo) lo = r;
    if (r > hi) hi = r;
  }
  for (let p = 0; p < positions; p++) {
    if (argmax(reference, p * vocab, vocab) === argmax(test, p * vocab, vocab)) top1++;
  }
  return { positions, maxAbs, meanAbs: sumAbs / reference.length, maxRel: maxAbs / (hi - lo), top1 };
}

/** Mean over rows of cos(reference row, test row), and the smallest. */
export function cosineByRow(
  reference: Float32Array,
  test: Float32Array,
  width: number,
): { mean: number; min: number } {
  const rows = reference.length / width;
  let sum = 0;
  let min = 1;
  for (let r = 0; r < rows; r++) {
    let dot = 0;
    let na = 0;
    let nb = 0;
    for (let i = r * width; i < (r + 1) * width; i++) {
      dot += reference[i]! * test[i]!;
      na += reference[i]! * reference[i]!;
      nb += test[i]! * test[i]!;
    }
    const c = dot / Math.sqrt(na * nb);
    sum += c;
    if (c < min) min = c;
  }
  return { mean: sum / rows, min };
}
