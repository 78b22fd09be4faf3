import { KvCache } from '../cache/kv-cache.js';
import { InvalidInputError } from '../errors/invalid-input-error.js';
import type { DecoderRunner, DecoderStep } from './decoder-runner.js';

/** Rows of numbers, as Hugging Face's lists, e.g. `[[2, 651, 1234]]`. */
export type Rows = readonly (readonly number[])[];

export interface ForwardInputs {
  /** [B][T] token ids (left-padded batch allowed). */
  inputIds: Rows;
  /**
   * [B][T] or [B][past + T] (the reference's full mask): 1 real token, 0 padding. Only the last T
   * columns are read; earlier ones are already in the cache. Default all ones.
   */
  attentionMask?: Rows;
  /** [B][T] RoPE positions. Default: each row counts its real tokens (left padding starts at 0). */
  positionIds?: Rows;
  /** The cache of earlier steps; appended to (and returned). Default: a new dynamic cache. */
  pastKeyValues?: KvCache;
}

function rectangular(rows: Rows, field: string): { b: number; t: number } {
  const b = rows.length;
  if (b === 0) throw new InvalidInputError(field, 'needs at least one row');
  const t = rows[0]!.length;
  rows.forEach((row, i) => {
    if (row.length !== t)
      throw new InvalidInputError(field, `row ${i} has ${row.length} entries, row 0 has ${t}`);
  });
  return { b, t };
}

function flatInts(rows: Rows, field: string, skipColumns = 0): BigInt64Array {
  const t = rows[0]!.length - skipColumns;
  const out = new BigInt64Array(rows.length * t);
  rows.forEach((row, b) => {
    for (let k = 0; k < t; k++) {
      const v = row[k + skipColumns]!;
      if (!Number.isSafeInteger(v))
        throw new InvalidInputError(field, `[${b}][${k + skipColumns}] = ${v} is not an integer`);
      out[b * t + k] = BigInt(v);
    }
  });
  return out;
}

/** Turns HF-style inputs into one decoder step, creating a cache when none is given. */
export function prepareStep(
  runner: DecoderRunner,
  inputs: ForwardInputs,
  outputPositions: DecoderStep['outputPositions'],
): { cache: KvCache; step: DecoderStep } {
  const { b, t } = rectangular(inputs.inputIds, 'inputIds');
  const c = runner.config;
  const cache =
    inputs.pastKeyValues ??
    new KvCache({
      batchSize: b,
      layerTypes: c.layer_types,
      kvHeads: c.num_key_value_heads,
      headDim: c.head_dim,
      slidingWindow: c.sliding_window,
      kind: 'dynamic',
    });
  if (cache.batchSize !== b) {
    throw new InvalidInputError(
      'pastKeyValues',
      `cache has batch ${cache.batchSize}, inputIds has ${b} rows`,
    );
  }
  let mask = new Uint8Array(b * t).fill(1);
  if (inputs.attentionMask) {
    const m = rectangular(inputs.attentionMask, 'attentionMask');
    if (m.b !== b || (m.t !== t && m.t !== cache.length + t)) {
      throw new InvalidInputError(
        'attentionMask',
        `shape [${m.b}, ${m.t}] fits neither [${b}, ${t}] nor [${b}, ${cache.length + t}] (past + new)`,
      );
    }
    const flat = flatInts(inputs.attentionMask, 'attentionMask', m.t - t);
    mask = Uint8Array.from(flat, (v) => {
      if (v !== 0n && v !== 1n)
        throw new InvalidInputError('attentionMask', `values must be 0 or 1, got ${v}`);
      return Number(v);
    });
  }
  let positionIds: BigInt64Array | undefined;
  if (inputs.positionIds) {
    const p = rectangular(inputs.positionIds, 'positionIds');
    if (p.b !== b || p.t !== t)
      throw new InvalidInputError('positionIds', `shape [${p.b}, ${p.t}], expected [${b}, ${t}]`);
    positionIds = flatInts(inputs.positionIds, 'positionIds');
  }
  return {
    cache,
    step: { inputIds: flatInts(inputs.inputIds, 'inputIds'), mask, positionIds, count: t, outputPositions },
  };
}
